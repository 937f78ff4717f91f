// Minimal typings for html-to-text (a mailparser dependency without bundled types): only what parse.ts uses.
declare module 'html-to-text' {
  export interface HtmlToTextOptions {
    wordwrap?: number | false;
    limits?: { maxInputLength?: number; maxDepth?: number; maxChildNodes?: number; ellipsis?: string };
    selectors?: { selector: string; format?: string; options?: Record<string, unknown> }[];
  }
  export function convert(html: string, options?: HtmlToTextOptions): string;
}
