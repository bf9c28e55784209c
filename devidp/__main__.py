"""Command line of the development IdP (see devidp/__init__.py)."""

from __future__ import annotations

import argparse
import logging
import socketserver
import sys
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from devidp import keys
from devidp.app import Application
from devidp.idp import DevIdP


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        logging.getLogger("devidp.http").info(format, *args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devidp")
    commands = parser.add_subparsers(dest="command", required=True)
    keys_cmd = commands.add_parser("keys", help="make the development key pairs (sp, idp)")
    keys_cmd.add_argument("directory", type=Path)
    serve = commands.add_parser("serve", help="run the development identity provider")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    serve.add_argument("--base-url", help="default: http://<host>:<port>")
    serve.add_argument("--keys", type=Path, default=Path("var/saml"))
    serve.add_argument(
        "--sp-metadata",
        action="append",
        default=[],
        help="service provider metadata: file, folder of *.xml or URL (repeatable)",
    )
    serve.add_argument("--test-faults", action="store_true", help="allow deliberately bad answers")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="devidp %(levelname)s %(message)s")
    if args.command == "keys":
        keys.ensure_all(args.directory)
        return 0
    base_url = args.base_url or f"http://{args.host}:{args.port}"
    idp = DevIdP(base_url, args.keys, args.sp_metadata, args.test_faults)
    server = make_server(
        args.host,
        args.port,
        Application(idp),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    print(f"devidp ready on {base_url} (metadata {idp.entity_id})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
