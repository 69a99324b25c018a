/**
 * What the page renders and what it reports back: plain JSON shared by the
 * test (Node) and the page (browser). No DOM or Node types here.
 */

/** One output as Webchat v3 receives it: `api.say(text, data)` from the flow is a bot message (G11). */
export interface RenderCase {
  id: string;
  label: string;
  text: string;
  data: Record<string, unknown> | null;
}

export interface SeenImage {
  src: string;
  alt: string;
  loaded: boolean;
  naturalWidth: number;
}

export interface SeenMedia {
  src: string;
  /** HTMLMediaElement.readyState: 1 or more once the metadata has loaded. */
  readyState: number;
  duration: number;
}

export interface SeenFileTile {
  /** Name and extension as the tile shows them, e.g. "manual." + "pdf". */
  name: string;
  size: string;
  href: string;
}

export interface SeenButton {
  label: string;
  /** "a" for URL buttons, "button" for postbacks. */
  tag: string;
  href: string;
}

/** What a user sees of one rendered message. */
export interface SeenMessage {
  /** The visible text (innerText), avatar header excluded. */
  text: string;
  /** Elements the renderer drew for the message (the plugin's root), to tell "nothing" from "something". */
  elementCount: number;
  images: SeenImage[];
  videos: SeenMedia[];
  audios: SeenMedia[];
  files: SeenFileTile[];
  buttons: SeenButton[];
  /** The video preview's play button (react-player's light mode). */
  videoPlayButton: boolean;
  /** Webchat's "Download transcript" buttons, found by their download links (video and audio alt text, G5). */
  transcriptButtons: number;
}

/** What clicks did: postbacks sent as the user's input, URLs opened. */
export interface PageEffects {
  postbacks: string[];
  opened: string[];
}

/** The page's functions, called by the test through page.evaluate. */
export interface WebchatRenderApi {
  ready: boolean;
  errors: string[];
  seen(id: string): SeenMessage;
  effects(): PageEffects;
}
