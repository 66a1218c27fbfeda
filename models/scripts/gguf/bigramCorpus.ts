/**
 * The built-in English the bigram model is counted from: a few thousand short conversation turns and little stories,
 * expanded from hand-written templates with a seeded PRNG (so the corpus, and with it the model, is the same on every
 * run). Only the assistant side becomes bigram statistics; the user side only shapes the tokenizer.
 *
 * Rules that keep every generated word a corpus word: letters and the punctuation , . ! ? only (no digits, apostrophes
 * or hyphens, which the pre-tokenizer would split into pieces that could recombine into non-words), and one line per
 * answer (a newline inside an answer would share its token with the one that opens every answer).
 * Changing anything here changes the generated model, so treat it as part of the format.
 */
import { Xoshiro128 } from "./prng.js";

/** One conversation turn of the corpus. */
export interface CorpusDialogue {
  user: string;
  assistant: string;
}

const CHARACTERS = [
  "fox",
  "cat",
  "dog",
  "rabbit",
  "bear",
  "owl",
  "mouse",
  "horse",
  "wolf",
  "duck",
  "little girl",
  "little boy",
  "old man",
  "old woman",
  "farmer",
  "baker",
  "sailor",
  "young king",
  "wise queen",
  "small bird",
];
const ADJECTIVES = [
  "small",
  "brave",
  "clever",
  "quiet",
  "curious",
  "kind",
  "lazy",
  "happy",
  "tired",
  "young",
  "gentle",
  "hungry",
  "lonely",
  "busy",
  "careful",
];
const PLACES = [
  "in a small village",
  "near the river",
  "in the green forest",
  "on a quiet farm",
  "by the sea",
  "in a big city",
  "on a high hill",
  "in an old house",
  "under a tall tree",
  "near the mountains",
  "at the edge of the woods",
  "in a warm little cottage",
];
const HOBBIES = [
  "walk by the river",
  "read old books",
  "sing songs",
  "watch the stars",
  "play in the garden",
  "look for food",
  "talk with friends",
  "sleep in the sun",
  "pick flowers",
  "run across the fields",
  "bake fresh bread",
  "count the clouds",
];
const TIMES = ["morning", "evening", "day", "night", "afternoon", "week", "spring", "summer"];
const OBJECTS = [
  "a red ball",
  "a golden key",
  "a small box",
  "a lost hat",
  "an old map",
  "a shiny stone",
  "a secret letter",
  "a tiny boat",
  "a silver bell",
  "a basket of apples",
];
const FINDING_PLACES = [
  "under a bush",
  "near the old bridge",
  "in the tall grass",
  "behind the barn",
  "on the path",
  "at the bottom of the hill",
  "next to the well",
  "in the snow",
];
const FEELINGS = ["surprised", "very happy", "a little afraid", "curious", "excited", "worried", "proud", "calm"];
const STORY_ACTIONS = [
  "show it to a friend",
  "follow the path into the forest",
  "ask the wise owl for help",
  "keep it safe",
  "take it home",
  "share it with everyone",
  "look for its owner",
  "hide it under the bed",
];
const STORY_ENDINGS = [
  "told the whole story to the family",
  "slept very well",
  "smiled at the moon",
  "made a warm dinner",
  "wrote a letter to a friend",
  "sat by the fire and laughed",
];
const WEATHER = [
  "sunny and warm",
  "cold and windy",
  "rainy and grey",
  "cloudy but dry",
  "snowy and very cold",
  "bright and clear",
  "foggy in the morning",
];
const WEATHER_ADVICE = [
  "you should take a coat",
  "it is a good day for a walk",
  "you can stay inside with a good book",
  "wear warm clothes and a hat",
  "take an umbrella with you",
  "the park will be lovely",
];
const FOODS = [
  "bread",
  "cheese",
  "apples",
  "soup",
  "rice",
  "fresh fruit",
  "warm milk",
  "tea",
  "eggs",
  "vegetables",
  "honey",
  "fish",
];
const ACTIVITIES = [
  "go for a walk",
  "read a book",
  "call a friend",
  "cook a simple meal",
  "listen to some music",
  "write in a notebook",
  "visit the park",
  "take a short nap",
  "drink a glass of water",
  "clean the kitchen",
];
const TOPICS = ["the sea", "the moon", "the forest", "a long journey", "a lost key", "a brave friend", "the winter"];
const CITY_THINGS = [
  "old streets",
  "tall buildings",
  "a beautiful river",
  "many small shops",
  "quiet parks",
  "busy markets",
  "friendly people",
];
const FACTS = [
  "There are seven days in a week.",
  "The sun rises in the morning and sets in the evening.",
  "Water is very important for every living thing.",
  "Trees give us shade, wood and fresh air.",
  "The moon goes around the earth.",
  "Bees make honey from flowers.",
  "Rain fills the rivers and the lakes.",
  "Birds fly south when the winter comes.",
  "A year has twelve months.",
  "Plants need light, water and good soil.",
];
const OPENERS = [
  "Of course.",
  "Sure.",
  "Good question.",
  "That is a good question.",
  "I understand.",
  "Let me help you with that.",
  "Certainly.",
  "Thank you for asking.",
];
const CLOSERS = [
  "I hope this helps.",
  "Have a nice day!",
  "Let me know if you need anything else.",
  "Is there anything else I can do for you?",
  "I am happy to help.",
  "Take care!",
];
const GREETINGS_USER = ["Hello", "Hi", "Hello there", "Good morning", "Good evening", "Hi GAIA", "Hello GAIA"];
const GREETINGS_ASSISTANT = [
  "Hello! It is nice to talk with you.",
  "Hi! How can I help you today?",
  "Good morning! I hope you slept well.",
  "Hello there. I am happy to help.",
  "Hi! What would you like to talk about?",
  "Hello! I am here and ready to help.",
];

/** The PRNG picks; every call consumes exactly one number, so the corpus depends only on the seed. */
class Picker {
  private readonly rng: Xoshiro128;
  constructor(seed: number) {
    this.rng = new Xoshiro128(seed);
  }
  one<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng.nextFloat() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.rng.nextFloat() < p;
  }
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function story(p: Picker, hero: string): string {
  const friend = p.one(CHARACTERS.filter((c) => c !== hero));
  const sentences = [
    p.one([
      `Once upon a time, there was a ${p.one(ADJECTIVES)} ${hero} who lived ${p.one(PLACES)}.`,
      `Long ago, a ${p.one(ADJECTIVES)} ${hero} lived ${p.one(PLACES)}.`,
      `There once was a ${hero} who lived ${p.one(PLACES)}.`,
    ]),
    `Every ${p.one(TIMES)}, the ${hero} liked to ${p.one(HOBBIES)}.`,
    `One day, the ${hero} found ${p.one(OBJECTS)} ${p.one(FINDING_PLACES)}.`,
  ];
  if (p.chance(0.6)) sentences.push(`The ${hero} was ${p.one(FEELINGS)} and decided to ${p.one(STORY_ACTIONS)}.`);
  if (p.chance(0.5)) sentences.push(`On the way, the ${hero} met a ${p.one(ADJECTIVES)} ${friend}.`);
  sentences.push(
    p.one([
      `In the evening, the ${hero} went home and ${p.one(STORY_ENDINGS)}.`,
      `From that day on, the ${hero} and the ${friend} were good friends.`,
      `At the end of the day, the ${hero} was tired but happy.`,
    ]),
  );
  if (p.chance(0.3)) sentences.push("The end.");
  return sentences.join(" ");
}

/** One dialogue of the given kind (the kinds cycle, so every kind is well represented). */
function dialogue(p: Picker, kind: number): CorpusDialogue {
  switch (kind) {
    case 0: {
      const hero = p.one(CHARACTERS);
      const user = p.one([
        `Tell me a short story about a ${hero}.`,
        `Can you tell me a story about a ${hero}?`,
        `Please tell me a story about a ${hero}.`,
        `Hello GAIA, tell me a short story about a ${hero}.`,
      ]);
      return { user, assistant: story(p, hero) };
    }
    case 1:
      return {
        user: `${p.one(GREETINGS_USER)}!`,
        assistant: p.chance(0.5) ? p.one(GREETINGS_ASSISTANT) : `${p.one(GREETINGS_ASSISTANT)} ${p.one(CLOSERS)}`,
      };
    case 2: {
      const weather = p.one(WEATHER);
      return {
        user: p.one(["What is the weather like today?", "How is the weather?", "Will it rain tomorrow?"]),
        assistant: p.one([
          `It is ${weather} today, so ${p.one(WEATHER_ADVICE)}.`,
          `Today it is ${weather}. I think ${p.one(WEATHER_ADVICE)}.`,
          `Tomorrow will be ${weather}, so ${p.one(WEATHER_ADVICE)}.`,
        ]),
      };
    }
    case 3:
      return {
        user: p.one(["What should I eat for breakfast?", "What do you like to eat?", "Can you suggest a dinner?"]),
        assistant: p.one([
          `A good breakfast is ${p.one(FOODS)} with ${p.one(FOODS)}.`,
          `I like ${p.one(FOODS)} and ${p.one(FOODS)}, but ${p.one(FOODS)} is also very good.`,
          `You could try ${p.one(FOODS)}, ${p.one(FOODS)} and a cup of ${p.one(["tea", "warm milk", "water"])}.`,
          `${p.one(OPENERS)} A simple dinner of ${p.one(FOODS)} and ${p.one(FOODS)} is always nice.`,
        ]),
      };
    case 4:
      return {
        user: p.one(["I feel bored. What can I do?", "What should I do this evening?", "Any ideas for today?"]),
        assistant: p.one([
          `You could ${p.one(ACTIVITIES)} or ${p.one(ACTIVITIES)}.`,
          `${p.one(OPENERS)} Maybe you can ${p.one(ACTIVITIES)} and then ${p.one(ACTIVITIES)}.`,
          `It is a good idea to ${p.one(ACTIVITIES)} before you ${p.one(ACTIVITIES)}.`,
        ]),
      };
    case 5:
      return {
        user: p.one(["How are you?", "How are you today?", "Are you well?"]),
        assistant: p.one([
          "I am fine, thank you. How are you?",
          "I am doing well today, thank you for asking.",
          "I am very well. What can I do for you?",
          `I am fine, thank you. ${p.one(CLOSERS)}`,
        ]),
      };
    case 6:
      return {
        user: p.one(["Tell me something interesting.", "Can you teach me a fact?", "What do you know about nature?"]),
        assistant: p.chance(0.5) ? p.one(FACTS) : `${p.one(OPENERS)} ${p.one(FACTS)} ${p.one(FACTS)}`,
      };
    case 7: {
      const a = p.one(CITY_THINGS);
      const b = p.one(CITY_THINGS.filter((t) => t !== a));
      return {
        user: p.one(["Where do you live?", "What is the city like?", "Describe your town."]),
        assistant: p.one([
          `I live in a big city with ${a} and ${b}.`,
          `The city has ${a}, ${b} and ${p.one(CITY_THINGS)}.`,
          `My town is small, but it has ${a} and ${b}.`,
        ]),
      };
    }
    case 8:
      return {
        user: p.one(["Thank you!", "Thanks for your help.", "Thank you very much."]),
        assistant: p.one([
          "You are welcome. Have a nice day!",
          "You are very welcome.",
          `You are welcome! ${p.one(CLOSERS)}`,
          "It was my pleasure to help.",
        ]),
      };
    case 9:
      return {
        user: p.one(["I feel a little sad today.", "I am worried about tomorrow.", "I am tired."]),
        assistant: p.one([
          `${p.one(OPENERS)} It is normal to feel ${p.one(FEELINGS)} sometimes.`,
          `I am sorry to hear that. Maybe you can ${p.one(ACTIVITIES)}.`,
          `I understand. Try to ${p.one(ACTIVITIES)}, and things will feel better.`,
        ]),
      };
    default:
      return {
        user: p.one([
          `What is your favorite book about?`,
          `Do you like stories about ${p.one(TOPICS)}?`,
          `What do you think about ${p.one(TOPICS)}?`,
        ]),
        assistant: p.one([
          `My favorite book is about ${p.one(TOPICS)}.`,
          `I like stories about ${p.one(TOPICS)} and ${p.one(TOPICS)}.`,
          `${p.one(OPENERS)} I think ${p.one(TOPICS)} is a wonderful thing to read about.`,
        ]),
      };
  }
}

/** Dialogue kinds above, in rotation order; stories come up twice as often, they hold the richest language. */
const KIND_ROTATION = [0, 1, 2, 0, 3, 4, 0, 5, 6, 0, 7, 8, 0, 9, 10];

/** How many dialogues the corpus holds (a few thousand sentences). */
export const CORPUS_DIALOGUE_COUNT = 1500;

/** The corpus dialogues; the same list on every call. */
export function bigramCorpus(seed = 20261201): CorpusDialogue[] {
  const p = new Picker(seed);
  const dialogues: CorpusDialogue[] = [];
  for (let i = 0; i < CORPUS_DIALOGUE_COUNT; i++) {
    const d = dialogue(p, KIND_ROTATION[i % KIND_ROTATION.length] ?? 0);
    dialogues.push({ user: capitalize(d.user), assistant: capitalize(d.assistant) });
  }
  return dialogues;
}

/**
 * The words an answer of the bigram model can contain: every whitespace-separated word of the corpus answers with its
 * leading and trailing punctuation removed (the model writes "fox." as the tokens " fox" and ".", so the word is "fox").
 */
export function bigramWordList(dialogues: readonly CorpusDialogue[] = bigramCorpus()): Set<string> {
  const words = new Set<string>();
  for (const { assistant } of dialogues) {
    for (const raw of assistant.split(/\s+/)) {
      const word = stripEdgePunctuation(raw);
      if (word) words.add(word);
    }
  }
  return words;
}

/** "Hello," → "Hello"; what the word list and the tests compare. */
export function stripEdgePunctuation(word: string): string {
  return word.replace(/^[\p{P}]+|[\p{P}]+$/gu, "");
}
