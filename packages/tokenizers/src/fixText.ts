import {
  fixC1Controls,
  fixCharacterWidth,
  fixLatinLigatures,
  fixLineBreaks,
  fixSurrogates,
  removeControlChars,
  removeTerminalEscapes,
  uncurlQuotes,
} from './ftfyFixes.js';
import { unescapeHtml } from './unescapeHtml.js';

/** ftfy's `max_decode_length`: a line longer than this is fixed in pieces of this many characters. */
const MAX_SEGMENT_LENGTH = 1_000_000;

/**
 * The deterministic part of `ftfy.fix_text(text)` with ftfy 6.1.1's default `TextFixerConfig`, which
 * transformers' CLIPTokenizer applies to every prompt when ftfy is installed.
 *
 * Done, in ftfy's order, repeated until nothing changes: HTML entities (unless the line so far contained
 * `<`), C1 controls, Latin ligatures, character width, curly quotes, line breaks, surrogates, terminal
 * escapes, control characters, NFC. Not done: mojibake repair (`fix_encoding`: re-decoding text that was
 * decoded with the wrong codec, e.g. `CafÃ©`), which needs ftfy's statistical badness heuristic.
 */
export function fixText(text: string): string {
  let unescape = true;
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos) + 1;
    if (end === 0) end = text.length;
    // why: ftfy counts code points; counting UTF-16 units only matters for lines of a million characters.
    if (end - pos > MAX_SEGMENT_LENGTH) end = pos + MAX_SEGMENT_LENGTH;
    const segment = text.slice(pos, end);
    // why: ftfy's unescape_html="auto" turns itself off for good once a segment contains "<" (it is HTML).
    if (segment.includes('<')) unescape = false;
    out += fixSegment(segment, unescape);
    pos = end;
  }
  return out;
}

/** ftfy's `fix_and_explain` loop for one segment: apply every fixer until the text stops changing. */
function fixSegment(segment: string, unescape: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (unescape) text = unescapeHtml(text);
    text = fixC1Controls(text);
    text = fixLatinLigatures(text);
    text = fixCharacterWidth(text);
    text = uncurlQuotes(text);
    text = fixLineBreaks(text);
    text = fixSurrogates(text);
    text = removeTerminalEscapes(text);
    text = removeControlChars(text);
    text = text.normalize('NFC');
    if (text === before) return text;
  }
}
