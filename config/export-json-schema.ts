// Writes config/switchyard.schema.json so editors (YAML language server) can complete and check config files.
import { writeFile } from "node:fs/promises";
import { configJsonSchema } from "./load.ts";

const target = new URL("./switchyard.schema.json", import.meta.url);
await writeFile(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
