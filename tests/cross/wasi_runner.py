#!/usr/bin/env python3
"""Run a WASI program with the wasmtime Python API: a wasip1 core module or a wasip2 component.

The PyPI package `wasmtime` ships no command-line tool, so this stands in for
one.  Accepted forms (cargo calls a runner as `<runner> <file> <args>`):

    wasi_runner.py [run] [--dir DIR]... [--env NAME=VALUE]... [--] FILE.wasm [ARGS...]

Like `wasmtime run`, it tells the two kinds of file apart by their header: a
core module (wasm32-wasip1) is instantiated with WASI preview 1 and its
`_start` called; a component (wasm32-wasip2: header version 0x0d, layer 1) is
instantiated with WASI 0.2 (wasmtime's `add_wasip2`) and its `wasi:cli/run`
export's `run` called.

stdin, stdout and stderr are inherited; argv[0] is FILE.wasm.  The process
exits with the program's own exit code (proc_exit, wasi:cli/exit), 0 when the
program returns (1 when a component's `run` returns an error), and 134 (like
the wasmtime CLI: 128 + SIGABRT) when the program traps, e.g. on a Rust panic,
which is `panic=abort` on WASI.
"""

import sys

USAGE = "usage: wasmtime [run] [--dir DIR] [--env NAME=VALUE] [--] FILE.wasm [ARGS...]"


def parse(argv):
    args = list(argv)
    if args and args[0] == "run":
        args.pop(0)
    dirs, env = [], []
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--":
            break
        name, eq, value = opt.partition("=")
        if name not in ("--dir", "--env"):
            sys.exit(f"wasmtime: unknown option {opt}\n{USAGE}")
        if not eq:
            if not args:
                sys.exit(f"wasmtime: {name} needs a value\n{USAGE}")
            value = args.pop(0)
        if name == "--dir":
            dirs.append(value)
        else:
            key, eq, val = value.partition("=")
            if not eq:
                sys.exit(f"wasmtime: --env wants NAME=VALUE, got {value}")
            env.append((key, val))
    if not args:
        sys.exit(USAGE)
    return args[0], args[1:], dirs, env


WASM_MAGIC = b"\0asm"
COMPONENT_VERSION_AND_LAYER = b"\x0d\x00\x01\x00"
"""Bytes 4-7 of a component: version 0x0d and layer 1 (a core module has version 1, layer 0)."""


def is_component(header):
    """Whether a wasm file's first 8 bytes are a component's preamble."""
    return header[:4] == WASM_MAGIC and header[4:8] == COMPONENT_VERSION_AND_LAYER


def wasi_config(wasmtime, wasm_file, wasm_args, dirs, env):
    wasi = wasmtime.WasiConfig()
    wasi.argv = [wasm_file, *wasm_args]
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    if env:
        wasi.env = env
    for d in dirs:
        host, sep, guest = d.partition("::")
        wasi.preopen_dir(host, guest if sep else host)
    return wasi


def run_module(wasmtime, engine, store, wasm_file):
    """A wasip1 core module: WASI preview 1 imports, entry point `_start`."""
    module = wasmtime.Module.from_file(engine, wasm_file)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, module)
    start = instance.exports(store).get("_start")
    if start is None:
        sys.exit(f"wasmtime: {wasm_file} exports no _start (not a WASI command)")
    start(store)
    return 0


def run_component(wasmtime, engine, store, wasm_file):
    """A wasip2 component: WASI 0.2 imports, entry point `wasi:cli/run@0.2.x#run`."""
    from wasmtime import component

    comp = component.Component.from_file(engine, wasm_file)
    runs = [name for name in comp.type.exports(engine) if name.startswith("wasi:cli/run@0.2.")]
    if not runs:
        sys.exit(f"wasmtime: {wasm_file} exports no wasi:cli/run (not a WASI command)")
    linker = component.Linker(engine)
    linker.add_wasip2()
    instance = linker.instantiate(store, comp)
    interface = instance.get_export_index(store, runs[0])
    run = instance.get_func(store, instance.get_export_index(store, "run", interface))
    if run is None:
        sys.exit(f"wasmtime: {runs[0]} of {wasm_file} has no run function")
    try:
        result = run(store)
    except wasmtime.ExitTrap:
        raise
    except wasmtime.WasmtimeError as trap:  # a trap inside a component call comes as this
        print(f"wasmtime: {wasm_file} trapped: {trap}", file=sys.stderr)
        return 134
    # `run: func() -> result`: ok, or err when the program failed without an exit code.
    return 1 if getattr(result, "tag", "ok") == "err" else 0


def main(argv):
    wasm_file, wasm_args, dirs, env = parse(argv)
    with open(wasm_file, "rb") as f:
        component_file = is_component(f.read(8))

    import wasmtime

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(wasi_config(wasmtime, wasm_file, wasm_args, dirs, env))
    try:
        if component_file:
            return run_component(wasmtime, engine, store, wasm_file)
        return run_module(wasmtime, engine, store, wasm_file)
    except wasmtime.ExitTrap as exit_trap:
        return exit_trap.code
    except wasmtime.Trap as trap:
        print(f"wasmtime: {wasm_file} trapped: {trap}", file=sys.stderr)
        return 134


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
