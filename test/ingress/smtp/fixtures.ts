// The SMTP tests' small fixtures, made by fixtures/generate.ts (one place for every generated fixture).
export { makeElf, makePdf, makePng } from '../../../fixtures/generate.js';
