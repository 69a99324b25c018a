/** Defaults shared by the descriptor and the config parser (a file of its own, so the descriptor's bundle stays small). */
export const DEFAULT_CANCEL_BUTTON_TEXT = "Cancel";
export const DEFAULT_QUEUE_UPDATE_MESSAGE = "You are number {position} in the queue. Estimated wait: {wait}.";
