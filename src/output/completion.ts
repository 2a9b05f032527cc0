import type { Command } from 'commander';

interface Spec {
  path: string[];
  options: string[];
  subcommands: string[];
}

/** Every command path with its flags, read from the program itself so completions cannot drift. */
function specs(program: Command): Spec[] {
  const out: Spec[] = [];
  const walk = (command: Command, path: string[]) => {
    const options = [...command.options.map((o) => o.long ?? o.short ?? ''), '--help'].filter(Boolean) as string[];
    out.push({ path, options, subcommands: command.commands.map((c) => c.name()) });
    for (const child of command.commands) walk(child, [...path, child.name()]);
  };
  walk(program, []);
  return out;
}

export function bashCompletion(program: Command): string {
  const cases = specs(program)
    .map((s) => `    "${s.path.join(' ')}") words="${[...s.subcommands, ...s.options].join(' ')}" ;;`)
    .join('\n');
  return `# qtool completion for bash: eval "$(qtool completion bash)"
_qtool() {
  local cur path="" i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) if [[ " $(_qtool_words "$path") " == *" \${COMP_WORDS[i]} "* ]]; then path="\${path:+$path }\${COMP_WORDS[i]}"; fi ;; esac
  done
  words="$(_qtool_words "$path")"
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
_qtool_words() {
  local words=""
  case "$1" in
${cases}
  esac
  echo "$words"
}
complete -F _qtool qtool
`;
}

export function zshCompletion(program: Command): string {
  return `#compdef qtool
# qtool completion for zsh: eval "$(qtool completion zsh)"
${bashCompletion(program).replace(/^# .*\n/, '')}`.replace(
    'complete -F _qtool qtool',
    'autoload -U +X bashcompinit && bashcompinit\ncomplete -F _qtool qtool',
  );
}

export function fishCompletion(program: Command): string {
  const lines = ['# qtool completion for fish: qtool completion fish | source', 'complete -c qtool -f'];
  for (const spec of specs(program)) {
    const condition =
      spec.path.length === 0
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${spec.path[spec.path.length - 1]}`;
    for (const sub of spec.subcommands) lines.push(`complete -c qtool -n '${condition}' -a ${sub}`);
    for (const option of spec.options.filter((o) => o.startsWith('--'))) {
      lines.push(`complete -c qtool -n '${condition}' -l ${option.slice(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
