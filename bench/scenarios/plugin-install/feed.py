#!/usr/bin/env python3
"""A static NuGet v3 feed on 127.0.0.1 for timing `agent plugin install` (one-off; see run.sh beside this file).

Usage: feed.py DIR PORT [USER:PASSWORD]
Writes DIR/v3/index.json, the flat container and one plugin package (bench-tools 1.0.0, a manifest-only plugin
like the installation tests' fixtures), then serves DIR on 127.0.0.1:PORT, requiring HTTP basic auth when given.
"""
import base64, http.server, io, json, os, sys, zipfile

root, port = sys.argv[1], int(sys.argv[2])
auth = sys.argv[3] if len(sys.argv) > 3 else None
pid, ver = "bench-tools", "1.0.0"
base = f"http://127.0.0.1:{port}/"
os.makedirs(f"{root}/v3/flat/{pid}/{ver}", exist_ok=True)
json.dump({"version": "3.0.0", "resources": [{"@id": base + "v3/flat/", "@type": "PackageBaseAddress/3.0.0"}]}, open(f"{root}/v3/index.json", "w"))
json.dump({"versions": [ver]}, open(f"{root}/v3/flat/{pid}/index.json", "w"))
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(f"{pid}.nuspec", f'<?xml version="1.0" encoding="utf-8"?><package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata><id>{pid}</id><version>{ver}</version><authors>bench</authors><description>bench</description></metadata></package>')
    z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" /><Default Extension="nuspec" ContentType="application/octet" /><Default Extension="yaml" ContentType="application/octet" /><Default Extension="md" ContentType="application/octet" /></Types>')
    z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/{pid}.nuspec" Id="R1" /></Relationships>')
    z.writestr("plugin.yaml", f'id: {pid}\nversion: {ver}\ndescription: Bench plugin\nsdk: "^1.0"\nskills: skills\n')
    z.writestr("skills/demo/SKILL.md", "---\nname: demo\ndescription: Demo skill\n---\nDo the demo.\n")
open(f"{root}/v3/flat/{pid}/{ver}/{pid}.{ver}.nupkg", "wb").write(buf.getvalue())
expected = "Basic " + base64.b64encode(auth.encode()).decode() if auth else None

class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def do_GET(self):
        if expected and self.headers.get("Authorization") != expected:
            self.send_response(401); self.send_header("WWW-Authenticate", 'Basic realm="bench"'); self.send_header("Content-Length", "0"); self.end_headers(); return
        super().do_GET()
    def log_message(self, *a):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
