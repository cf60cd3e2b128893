#!/usr/bin/env python3
"""Run a wasm32-wasi (wasip1) program with the wasmtime Python API.

The PyPI package `wasmtime` ships no command-line tool, so this stands in for
one.  Accepted forms (cargo calls a runner as `<runner> <file> <args>`):

    wasi_runner.py [run] [--dir DIR]... [--env NAME=VALUE]... [--] FILE.wasm [ARGS...]

stdin, stdout and stderr are inherited; argv[0] is FILE.wasm.  The process
exits with the program's own exit code (proc_exit), 0 when `_start` returns,
and 134 (like the wasmtime CLI: 128 + SIGABRT) when the program traps, e.g. on
a Rust panic, which is `panic=abort` on wasm32-wasi.
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


def main(argv):
    wasm_file, wasm_args, dirs, env = parse(argv)

    import wasmtime

    engine = wasmtime.Engine()
    module = wasmtime.Module.from_file(engine, wasm_file)

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

    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, module)
    start = instance.exports(store).get("_start")
    if start is None:
        sys.exit(f"wasmtime: {wasm_file} exports no _start (not a WASI command)")

    try:
        start(store)
    except wasmtime.ExitTrap as exit_trap:
        return exit_trap.code
    except wasmtime.Trap as trap:
        print(f"wasmtime: {wasm_file} trapped: {trap}", file=sys.stderr)
        return 134
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
