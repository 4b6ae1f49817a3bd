"""Files between the kernel and the browser without a server route.

Voilà has no download route for a participant's data, and downloads through a proxy
(Binder, a hub) can fail; so the kernel sends the file's bytes to the page in a widget
message, and the page hands them to the browser as a download (a Blob URL).
"""

from __future__ import annotations

import base64

from ._script import ScriptWidget, script

__all__ = ["FileDownload"]

_ESM = """
export default {
  render({ model, el }) {
    el.hidden = true;
    const onMessage = (msg) => {
      if (!msg || msg.kind !== "download") return;
      const bytes = Uint8Array.from(atob(msg.data), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([bytes], { type: msg.mime }));
      const link = document.createElement("a");
      link.href = url;
      link.download = msg.filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    };
    model.on("msg:custom", onMessage);
    return () => model.off("msg:custom", onMessage);
  },
};
"""


class FileDownload(ScriptWidget):
    """Invisible; ``offer(data, filename, mime)`` makes the page download a file."""

    _esm = script(_ESM)

    def offer(self, data: bytes, filename: str, mime: str) -> None:
        self.send(
            {
                "kind": "download",
                "data": base64.b64encode(data).decode("ascii"),
                "filename": filename,
                "mime": mime,
            }
        )
