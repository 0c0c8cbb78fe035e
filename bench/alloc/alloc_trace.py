"""Summarizes the backtraces the alloc counter shim writes (EDDY_ALLOC_TRACE_FILE): groups
them by allocation site, eddy's frames symbolized with addr2line."""

import subprocess
from pathlib import Path

def symbolize(stacks: list[list[str]], eddy: Path) -> list[list[str]]:
    """Replaces eddy's "binary(+0xoffset)" frames with function (file:line) via addr2line."""
    prefix = str(eddy.resolve()) + "(+"
    offsets = sorted({frame[len(prefix):].split(")")[0] for stack in stacks for frame in stack
                      if frame.startswith(prefix)})
    output = subprocess.run(["addr2line", "-f", "-C", "-s", "-e", str(eddy)] + offsets,
                            capture_output=True, text=True, check=False).stdout.splitlines()
    names = {offset: f"{output[2 * i][:120]} ({output[2 * i + 1]})"
             for i, offset in enumerate(offsets) if 2 * i + 1 < len(output)}
    return [[names.get(frame[len(prefix):].split(")")[0], frame.split("/")[-1])
             if frame.startswith(prefix) else frame.split("/")[-1] for frame in stack]
            for stack in stacks]


ALLOCATOR_FRAMES = ("alloc_counter", "libstdc++", "libc.so", "__new_allocator", "aligned_new")


def is_allocator_frame(frame: str) -> bool:
    return any(marker in frame for marker in ALLOCATOR_FRAMES)


def summarize_trace(path: Path, eddy: Path, top: int = 12) -> None:
    """Prints the allocation sites of a trace, most frequent first: the first eddy:: frame of
    each backtrace, with the frames above it."""
    stacks = [[line for line in text.splitlines() if "alloc_counter" not in line]
              for text in path.read_text(errors="replace").split("--\n")]
    stacks = symbolize([stack for stack in stacks if stack], eddy)
    sites: dict[str, list[list[str]]] = {}
    for stack in stacks:
        callers = [i for i, frame in enumerate(stack) if not is_allocator_frame(frame)] or [0]
        depth = next((i for i in callers if stack[i].startswith("eddy::")), callers[0])
        sites.setdefault(stack[depth], []).append(stack[:depth + 1])
    print(f"\n{len(stacks)} traced allocations at {len(sites)} sites; most frequent first:")
    for site, samples in sorted(sites.items(), key=lambda item: -len(item[1]))[:top]:
        print(f"\n{len(samples)} x {site}")
        for frame in reversed([f for f in samples[0][:-1] if not is_allocator_frame(f)][-3:]):
            print(f"      calls {frame}")
