#!/usr/bin/env python3
"""A webhook receiver for tenet serve --webhooks: verifies the Standard Webhooks signature,
acts once per webhook-id, prints what came. python3 receiver.py whsec_… [PORT]"""
import base64, hashlib, hmac, http.server, json, sys, time

KEY = base64.b64decode(sys.argv[1].removeprefix("whsec_"))
SEEN = set()  # a real receiver keeps the ids it acted on in its database


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"])).decode()
        msg_id, ts = self.headers["webhook-id"], self.headers["webhook-timestamp"]
        mac = hmac.new(KEY, f"{msg_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
        expected = "v1," + base64.b64encode(mac).decode()
        given = self.headers["webhook-signature"].split()
        if expected not in given or abs(time.time() - int(ts)) > 300:
            self.send_response(401), self.end_headers()
            return
        if msg_id not in SEEN:  # at least once: the same id may come again
            SEEN.add(msg_id)
            event = json.loads(body)
            print(event["type"], json.dumps(event["data"], ensure_ascii=False), flush=True)
        self.send_response(204), self.end_headers()


http.server.HTTPServer(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 9000), Hook).serve_forever()
