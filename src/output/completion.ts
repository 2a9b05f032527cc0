import type { Command } from 'commander';

/** The hidden command the scripts run for queue names (cheap: one read of the store's queues). */
export const QUEUE_NAMES_COMMAND = '__queues';

interface Spec {
  path: string[];
  options: string[];
  subcommands: string[];
  /** Its first argument is a queue name (`clear <queue>`, `jobs <queue>`). */
  takesQueue: boolean;
}

/** Every command path with its flags, read from the program itself so completions cannot drift. */
function specs(program: Command): Spec[] {
  const out: Spec[] = [];
  const walk = (command: Command, path: string[]) => {
    const options = [...command.options.map((o) => o.long ?? o.short ?? ''), '--help'].filter(Boolean) as string[];
    const children = command.commands.filter((c) => !c.name().startsWith('__'));
    const takesQueue = command.registeredArguments[0]?.name() === 'queue';
    out.push({ path, options, subcommands: children.map((c) => c.name()), takesQueue });
    for (const child of children) walk(child, [...path, child.name()]);
  };
  walk(program, []);
  return out;
}

export function bashCompletion(program: Command): string {
  const all = specs(program);
  const cases = all
    .map((s) => `    "${s.path.join(' ')}") words="${[...s.subcommands, ...s.options].join(' ')}" ;;`)
    .join('\n');
  const queueCommands = all.filter((s) => s.takesQueue).map((s) => `"${s.path.join(' ')}"`);
  return `# qtool completion for bash: eval "$(qtool completion bash)"
_qtool() {
  local cur prev path="" store=() i words queues=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --connection|--config) store+=("\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}"); i=$((i + 1)) ;;
      -*) ;;
      *) if [[ " $(_qtool_words "$path") " == *" \${COMP_WORDS[i]} "* ]]; then path="\${path:+$path }\${COMP_WORDS[i]}"; queues=0; else queues=1; fi ;;
    esac
  done
  if [[ "$prev" == "--queue" ]]; then
    # A list (--queue high,default) completes its last name.
    local before=""
    [[ "$cur" == *,* ]] && before="\${cur%,*},"
    COMPREPLY=( $(compgen -P "$before" -W "$(qtool ${QUEUE_NAMES_COMMAND} "\${store[@]}" 2>/dev/null)" -- "\${cur##*,}") )
    return
  fi
  words="$(_qtool_words "$path")"
  case "$path" in ${queueCommands.join('|') || '"-"'})
    if [[ $queues == 0 && "$cur" != -* ]]; then words="$words $(qtool ${QUEUE_NAMES_COMMAND} "\${store[@]}" 2>/dev/null)"; fi ;;
  esac
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
      const value = option === '--queue' ? ` -x -a '(qtool ${QUEUE_NAMES_COMMAND} 2>/dev/null)'` : '';
      lines.push(`complete -c qtool -n '${condition}' -l ${option.slice(2)}${value}`);
    }
    if (spec.takesQueue)
      lines.push(`complete -c qtool -n '${condition}' -a '(qtool ${QUEUE_NAMES_COMMAND} 2>/dev/null)'`);
  }
  return `${lines.join('\n')}\n`;
}
