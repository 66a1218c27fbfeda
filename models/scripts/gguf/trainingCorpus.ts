/**
 * The small English text the bundled tokenizer's BPE merges are learned from. Any text works; this one is everyday
 * assistant conversation so common words become single tokens and prompts tokenize to realistic lengths.
 * Changing it changes the generated model (and its byte-identical output), so treat it as part of the format.
 */
export const TRAINING_CORPUS = `Hello! How are you today? I am fine, thank you. How can I help you?
The user asks a question and the assistant answers with a short, clear reply.
You are GAIA, a helpful assistant. Answer the question in a friendly and concise way.
What is the weather like today? It is sunny and warm outside, so we can go for a walk in the park.
Tomorrow it will rain in the morning, and the evening will be cold and windy.
Once upon a time there was a little girl who lived in a small village near the forest.
She liked to play with her friends and her dog. Every day they went to the park and played with a red ball.
One day the ball rolled into the river. The children were sad, but a kind old man helped them get the ball back.
They said thank you and went home happy. Their mother made dinner and they told her the whole story.
The quick brown fox jumps over the lazy dog. The lazy dog did not move at all.
Can you tell me a story about a cat? The cat sat on the mat and looked at the moon all night.
Please summarize the document in three sentences. The document describes a service that answers questions.
The service reads the packet, checks the session, builds the prompt, runs the model and returns the answer.
A session keeps the history of the conversation: every message from the user and every reply from the assistant.
When the history is too long, the oldest messages are dropped first, and the newest ones are kept.
The model reads the prompt, predicts the next token, and repeats until it reaches the end or the maximum length.
If the primary server is down, the gateway retries and then sends the request to the candidate server.
The candidate answers with the same model, so the user gets a reply even when the primary fails.
I would like to know more about the project. What does it do, and how does it work?
It is a small program that runs on the computer and talks with people about many different things.
Let me think about that for a moment. I think the answer is yes, but I am not completely sure.
Could you explain it again, more simply? Of course. Here is a simpler explanation with an example.
function add(a, b) { return a + b; } const result = add(1, 2); console.log(result);
The numbers are 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 20, 100, 1000, 2024, 2025 and 2026.
What time is it? It is ten past nine in the morning. The meeting starts at eleven o'clock.
I need to buy bread, milk, eggs, apples and cheese at the store before it closes tonight.
My favorite book is about a long journey across the sea to find a new home.
We should write the tests first, then fix the bug, then build and deploy the new version.
The file was not found. Please check the path and try again, or create the folder first.
Thanks for your help! You are welcome. Have a nice day, and see you next time.
In the beginning the system was small and simple, and over time it grew into something larger with many parts working together.
Good morning! Did you sleep well? Yes, I slept very well, and now I am ready to start the day.
Where do you live? I live in a big city with many people, old streets, tall buildings and a beautiful river.
Why is the sky blue? Sunlight is scattered by the air, and blue light is scattered more than red light.
How many days are there in a week? There are seven days in a week and twelve months in a year.
She opened the door, looked outside, and saw that the snow had covered the whole garden.
He said that he would come back later, after he had finished his work at the office.
It's a good idea. I'm sure they'll like it, and we've got enough time to do it well.`;
