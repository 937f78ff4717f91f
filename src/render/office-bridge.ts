// The Python side of a warm LibreOffice instance (python3-uno): it starts soffice listening on a private UNO pipe,
// then converts one document per request line on stdin, answering one JSON line each on stdout (office-pool.ts).
// Kept as a string so the build needs no extra file next to dist/; it is run as `python3 -c BRIDGE_PY soffice
// PROFILE_URL PIPE_NAME`. Loading is hidden, read-only, with macros never run (MacroExecutionMode 0 = NEVER) and
// links never updated (UpdateDocMode 0 = NO_UPDATE), the same as `soffice --convert-to` headless.
export const BRIDGE_PY = String.raw`import json, os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

def props(**kw):
    out = []
    for k, v in kw.items():
        p = PropertyValue(); p.Name = k; p.Value = v; out.append(p)
    return tuple(out)

def say(obj):
    sys.stdout.write(json.dumps(obj) + "\n"); sys.stdout.flush()

soffice, profile, pipe = sys.argv[1], sys.argv[2], sys.argv[3]
office = subprocess.Popen([soffice, "-env:UserInstallation=" + profile, "--headless", "--invisible", "--norestore",
    "--nolockcheck", "--nodefault", "--nologo", "--accept=pipe,name=" + pipe + ";urp;StarOffice.ComponentContext"],
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
ctx = None
while ctx is None:
    if office.poll() is not None:
        say({"ready": False, "error": "LibreOffice ended while starting (status %s)" % office.returncode}); sys.exit(3)
    try:
        ctx = resolver.resolve("uno:pipe,name=" + pipe + ";urp;StarOffice.ComponentContext")
    except NoConnectException:
        time.sleep(0.05)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
say({"ready": True})
FILTERS = [("com.sun.star.text.WebDocument", "writer_web_pdf_Export"), ("com.sun.star.text.TextDocument", "writer_pdf_Export"),
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"), ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export")]
for line in sys.stdin:
    req = json.loads(line)
    doc = None
    try:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(req["in"]), "_blank", 0,
            props(Hidden=True, ReadOnly=True, MacroExecutionMode=0, UpdateDocMode=0))
        if doc is None:
            say({"ok": False, "error": "could not be loaded"}); continue
        name = next((f for s, f in FILTERS if doc.supportsService(s)), None)
        if name is None:
            say({"ok": False, "error": "no PDF export for this kind of document"}); continue
        doc.storeToURL(uno.systemPathToFileUrl(req["out"]), props(FilterName=name))
        say({"ok": True})
    except Exception as e:
        say({"ok": False, "error": type(e).__name__ + ": " + str(getattr(e, "Message", e))[:300]})
        if "DisposedException" in type(e).__name__ or "Disposed" in str(e):
            # LibreOffice itself died under this document: end, so the pool sees a crash, not a refusal
            office.kill()
            sys.exit(4)
    finally:
        if doc is not None:
            try: doc.close(True)
            except Exception: pass
# stdin closed: the pool is done with this instance (it also kills the process group, this is only tidiness)
office.kill()
`;
