// `faxgate inbound`: placeholder until its module lands; refuses clearly rather than pretending.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('faxgate inbound: not available in this build yet\n');
  return 1;
}
