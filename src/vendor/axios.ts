/**
 * axios as its own bundle (build/axios.js): the extension's module stays small
 * to load, and this file is loaded on the first HTTP request (see load-axios.ts).
 */
export { default } from "axios";
