/**
 * The widgets' stylesheet, applied inside their shadow roots only. `:host` resets inherited properties so a
 * site's fonts, colours or `* {}` rules do not change the widget (the panel sets its own font and colour, since
 * a site's `!important` rules on the host still win over `:host`); the palette is neutral so it fits most sites.
 */
export const WIDGET_CSS = `
:host{all:initial}
*{box-sizing:border-box;font:inherit;color:inherit}
.panel{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;text-align:left;width:320px;max-width:calc(100vw - 32px);background:#fff;border:1px solid #d0d7de;border-radius:10px;
box-shadow:0 8px 24px rgba(0,0,0,.18);display:flex;flex-direction:column;overflow:hidden}
.head{display:flex;align-items:center;justify-content:space-between;padding:10px 12px;background:#24292f;color:#fff}
.head h2{margin:0;font-size:15px;font-weight:600;color:#fff}
button{cursor:pointer;border:1px solid #d0d7de;border-radius:6px;padding:6px 12px;background:#f6f8fa}
button.primary{background:#1f6feb;border-color:#1f6feb;color:#fff}
button.x{background:transparent;border:0;color:#fff;font-size:18px;padding:0 4px;line-height:1}
button:focus-visible,input:focus-visible,textarea:focus-visible{outline:2px solid #1f6feb;outline-offset:2px}
button:disabled{opacity:.5;cursor:default}
.status{padding:6px 12px;font-size:12px;color:#57606a;background:#f6f8fa;min-height:1em}
.log{height:260px;overflow-y:auto;padding:8px 12px;display:flex;flex-direction:column;gap:6px}
.msg{max-width:85%;padding:6px 10px;border-radius:10px;background:#f0f3f6;white-space:pre-wrap;word-wrap:break-word}
.msg.visitor{align-self:flex-end;background:#ddf4ff}
.msg.system{align-self:center;background:transparent;color:#57606a;font-size:12px}
.who{display:block;font-size:11px;color:#57606a}
.typing{padding:0 12px;font-size:12px;color:#57606a;min-height:16px}
form{display:flex;flex-direction:column;gap:8px;padding:10px 12px}
label{display:flex;flex-direction:column;gap:2px;font-size:12px;color:#57606a}
input,textarea{border:1px solid #d0d7de;border-radius:6px;padding:6px 8px;background:#fff;color:#1f2328}
textarea{resize:none;height:56px}
.compose{flex-direction:row;align-items:flex-end;border-top:1px solid #d0d7de}
.compose textarea{flex:1}
.error{color:#cf222e;font-size:12px;min-height:0}
.body{padding:12px}
.actions{display:flex;gap:8px;justify-content:flex-end;padding:0 12px 12px}
[hidden]{display:none!important}
`;
