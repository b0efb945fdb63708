// C0 and C1 control characters except TAB, LF and CR: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** NFC-normalises text and removes control characters (keeps tabs and line breaks). */
export function nfcWithoutControlCharacters(text: string): string {
  return text.normalize('NFC').replace(CONTROL_CHARACTERS, '');
}
