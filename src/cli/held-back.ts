/** The notice synth and diff print when --only leaves out-of-date files above the selection alone. */
export function formatHeldBack(only: string, heldBack: readonly string[]): string {
  return [
    `note: --only ${only} left ${heldBack.length} file(s) outside it as they were, though the matrix changes them:`,
    ...heldBack.map((path) => `  generated/${path}`),
    '  run synth without --only to update them; synth --check reports them until then.',
  ].join('\n');
}
