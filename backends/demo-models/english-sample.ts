// Embedded English text (original prose) from which the demo tokenizers learn their merges and word list.

export const ENGLISH_SAMPLE = `
The old switchyard sat at the edge of the town, where the river turned south and the hills began. Every morning
the first train arrived before the sun was up, and the yard master walked along the tracks with a lantern in his
hand. He knew every engine by the sound of its whistle, and he could tell from the rhythm of the wheels whether a
car was loaded or empty. The workers who joined him later in the day would sort the cars onto different lines,
so that each train left the yard with the freight that belonged to the cities along its route.

A switchyard is a kind of sorting machine. Cars come in from many directions, and each one must leave on the right
train. Some yards use a small hill, called a hump, so that cars can roll down by gravity into the correct track.
Others rely on shunting engines that push and pull the cars back and forth. In both cases the goal is the same: to
keep the traffic moving, to avoid long queues, and to make sure that nothing is lost on the way.

Modern computer networks solve a similar problem. A gateway receives requests from many clients and forwards each
request to a server that can answer it. When one server is busy, the gateway sends the next request somewhere else.
When a server fails, the gateway stops sending traffic to it until it is healthy again. The people who build these
systems often talk about load balancing, rate limiting, retries, timeouts, and circuit breakers. These words
describe simple ideas: share the work fairly, protect each part from being overwhelmed, try again when something
goes wrong, give up when waiting is no longer useful, and stop calling a service that keeps failing.

Language models have become one of the most common kinds of service behind such gateways. A language model reads a
sequence of tokens and predicts the next token. Generating a long answer means repeating this step many times, and
each step depends on all of the tokens that came before it. To make this faster, the model keeps a cache of keys and
values for the tokens it has already seen, so that it does not have to compute them again. Batching several requests
together helps as well, because the computer can do more useful work in each step when it processes many sequences
at the same time.

An embedding model is different. It reads a whole sentence at once and returns a list of numbers that describes its
meaning. Sentences with similar meanings receive similar numbers, which makes it possible to search a large
collection of documents by meaning rather than by exact words. People use embeddings to find related questions, to
group similar reports, to recommend articles, and to give a language model the right context before it answers.

In the kitchen the same lessons apply. A good cook prepares the ingredients before the evening rush, keeps the
counters clean, and knows which dishes take the longest time. When many orders arrive together, the cook starts
the slow dishes first and finishes the quick ones at the end, so that everything reaches the table while it is still
warm. If the oven breaks, the kitchen changes the menu instead of making every guest wait for food that will never
come. Nobody enjoys a cold dinner, but a thoughtful change of plan is better than a long silence.

The weather in the valley changed quickly in the spring. A bright morning could turn into a cloudy afternoon, and
by evening the rain would be falling on the roofs of the houses near the station. Children walked home from school
with their coats over their heads, laughing as they jumped across the puddles. Their parents watched the sky and
wondered whether the river would rise again, as it had done three years before, when the water reached the platform
and the trains stopped running for a week.

Reading is one of the oldest ways of learning. A student who reads every day builds a larger vocabulary, writes more
clearly, and understands difficult ideas with less effort. Teachers encourage their students to ask questions, to
compare different points of view, and to explain their reasoning in their own words. The best questions are often
the simplest ones: what happened, why did it happen, and what would have happened if something had been different?

Numbers tell their own stories. In 1998 the yard handled about 2,400 cars a day; by 2010 the number had grown to
3,150, and the company added two new tracks and a second control tower. The engineers measured the time each car
spent in the yard and found that the average fell from 14 hours to 9 hours after the change. They wrote a report,
shared the results with the other stations, and started planning the next improvement.

Good software is written for people as much as for machines. Clear names, short functions, and small modules make a
program easier to read, easier to test, and easier to change. Tests that check real behaviour give the team
confidence to improve the code without fear of breaking it. Logs and metrics explain what the system is doing while
it runs, and they help the engineers understand what went wrong when something fails in the middle of the night.

When the last train of the day left the yard, the lights along the tracks were turned down and the workers went home.
The yard master wrote the final numbers in his book, checked the signals one more time, and closed the door of the
small office. Outside, the night was quiet except for the sound of the river and the distant whistle of a freight
train crossing the bridge on its way to the coast. Tomorrow there would be more cars to sort, more questions to
answer, and more work to share, and the yard would be ready for all of it.
`;
