// What the README's examples take as given: the reader's own functions and data.
// Declared, not defined, so the examples type-check exactly as written.

interface Profile {
  name: string;
}
interface Settings {
  theme: string;
}
interface User {
  id: string;
  name: string;
}
interface Team {
  id: string;
  members: string[];
}
interface WritableFile {
  close(): Promise<void>;
}

declare function loadProfile(signal: AbortSignal): Promise<Profile>;
declare const loadSettingsPromise: Promise<Settings>;
declare const urls: string[];
declare const images: Uint8Array[];
declare function resize(image: Uint8Array, signal: AbortSignal): Promise<Uint8Array>;
declare const userIds: string[];
declare const teamIds: string[];
declare function fetchUser(id: string, signal: AbortSignal): Promise<User>;
declare function fetchTeam(id: string, signal: AbortSignal): Promise<Team>;
declare const teams: Team[];
declare function fetchMember(id: string): Promise<User>;
declare function fetchArticle(signal: AbortSignal): Promise<string>;
declare function fetchComments(signal: AbortSignal): Promise<string[]>;
declare function loadRecommendations(signal: AbortSignal): Promise<string[]>;
declare class NotFoundError extends Error {}
declare const file: WritableFile;
declare function writeChunk(file: WritableFile, index: number, signal: AbortSignal): Promise<void>;
declare function summarise(raw: unknown): string;
/** README › first: a fetch whose HTTP errors are failures. */
declare function download(url: string, signal: AbortSignal): Promise<string>;
declare const mirrors: string[];
/** README › mapIterable: a lookup per streamed event. */
declare function loadEvent(id: string, signal: AbortSignal): Promise<{ resolved: boolean }>;
/** README › Node streams: a Readable in object mode, as the async iterable it is. */
declare const readable: AsyncIterable<string>;
