"""Shell completion: ``completion bash|zsh|fish`` prints the script that asks the command itself
for completions (typer's, on click's completion protocol), to ``source`` or install."""

from __future__ import annotations

from typing import Annotated

import typer

from .root import COMPLETE_VAR, PROG, app, usage

__all__ = ["completion"]

SHELLS = ("bash", "zsh", "fish")


@app.command()
def completion(
    shell: Annotated[str, typer.Argument(metavar="bash|zsh|fish", help="Your shell.")],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    \b
    bash:  eval "$(aionvision-cloud completion bash)"     (in ~/.bashrc)
    zsh:   eval "$(aionvision-cloud completion zsh)"      (in ~/.zshrc, after compinit)
    fish:  aionvision-cloud completion fish > ~/.config/fish/completions/aionvision-cloud.fish
    """
    if shell not in SHELLS:
        usage(f"completion is for {', '.join(SHELLS)}, not {shell!r}", "completion")
    from typer._completion_shared import get_completion_script

    # Our own script, tabs and newlines meant: printed as is, not through say().
    print(get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell), flush=True)
