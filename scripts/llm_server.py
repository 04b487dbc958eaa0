#!/usr/bin/env python3
"""A local OpenAI-compatible model server for the tests: llama.cpp (built with llguidance) from PyPI's
xllamacpp, serving a GGUF model on 127.0.0.1 until SIGTERM or SIGINT.

    llm_server.py MODEL.gguf --port PORT [--threads 1] [--ctx 8192] [--seed 42]

xllamacpp has no command of its own: the server lives as long as the `xllamacpp.Server` object does.
One thread by default: on a busy 2-core machine, two made each request's time swing from a second to a minute.
"""
import argparse
import os
import signal
import threading


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ctx", type=int, default=8192)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = os.path.abspath(args.model)
    params.hostnames = ["127.0.0.1"]
    params.port = args.port
    params.n_ctx = args.ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.n_threads_http = 2
    params.n_gpu_layers = 0
    params.sampling.seed = args.seed
    params.ui = False
    params.model_alias = {"smollm2-135m"}
    server = xllamacpp.Server(params)
    print(f"serving {args.model} on {server.listening_address}", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    del server


if __name__ == "__main__":
    main()
