/**
 * Text that reaches a terminal or a page: the server strips these from admin-set
 * names, and the CLI from everything it prints (a server or provider could send them).
 * C0 controls (but tab and newline, which the CLI's own output uses), DEL, C1 controls,
 * and the bidirectional overrides and isolates that reorder what a reader sees.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export const stripControls = (text: string): string => text.replace(CONTROLS, '');
