"""A diagram of the model drawn from its declaration, as SVG written here (no graphviz): one box per block in the
order the model combines them, each listing its states, and an arrow wherever a block's assignments or rate laws
read a state or assignment another block declares, labelled with the names that cross (the drug's binding point
shows as the PK block's tissue concentration read by the disease block's receptor terms)."""

from __future__ import annotations

from html import escape

from adqsp.model.declaration import Model
from adqsp.model.expressions import names_in

WIDTH = 1100
BOX_LEFT = 420
BOX_WIDTH = WIDTH - BOX_LEFT - 20
LINE = 16
COLUMNS = 3
#: names shown on an arrow before "and N more"
SHOWN = 3


def crossings(blocks: tuple[Model, ...]) -> dict[tuple[int, int], list[str]]:
    """(from, to) block indices -> the names block ``to`` reads that block ``from`` declares (states and
    assignments), sorted."""
    owner = {}
    for k, block in enumerate(blocks):
        for name in (*block.state_names, *block.assignment_names):
            owner[name] = k
    edges: dict[tuple[int, int], set[str]] = {}
    for k, block in enumerate(blocks):
        expressions = [a.expression for a in block.assignments] + list(block.rates.values())
        for name in set().union(*(names_in(e) for e in expressions)):
            source = owner.get(name)
            if source is not None and source != k:
                edges.setdefault((source, k), set()).add(name)
    return {edge: sorted(names) for edge, names in sorted(edges.items())}


def model_svg(blocks: tuple[Model, ...], titles: list[str]) -> str:
    """The diagram of ``blocks`` (titled ``titles``) as an SVG document."""
    tops, y = [], 40
    for block in blocks:
        rows = -(-len(block.states) // COLUMNS) if block.states else 1
        height = 44 + rows * LINE
        tops.append((y, height))
        y += height + 30
    edges = crossings(blocks)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y}" viewBox="0 0 {WIDTH} {y}" '
        'font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
        '<text x="10" y="22" font-size="14" font-weight="bold">adqsp model: blocks, their states, and what each'
        " reads from another</text>",
    ]
    for (top, height), block, title in zip(tops, blocks, titles, strict=True):
        parts.append(
            f'<rect x="{BOX_LEFT}" y="{top}" width="{BOX_WIDTH}" height="{height}" rx="6" fill="#eef3f8" '
            'stroke="#4a6b8a"/>'
        )
        summary = (
            f"{len(block.states)} states, {len(block.assignments)} assignments, {len(block.parameters)} parameters"
        )
        parts.append(
            f'<text x="{BOX_LEFT + 10}" y="{top + 18}" font-weight="bold">{escape(title)}</text>'
            f'<text x="{BOX_LEFT + 200}" y="{top + 18}" fill="#555">{escape(block.name)}: {summary}</text>'
        )
        cell = BOX_WIDTH // COLUMNS
        for i, state in enumerate(block.state_names):
            x = BOX_LEFT + 10 + (i % COLUMNS) * cell
            parts.append(f'<text x="{x}" y="{top + 38 + (i // COLUMNS) * LINE}">{escape(state)}</text>')
    arrived: dict[int, int] = {}
    for lane, ((a, b), names) in enumerate(edges.items()):
        x = BOX_LEFT - 12 - 9 * lane
        y0 = tops[a][0] + tops[a][1] / 2
        k = arrived[b] = arrived.get(b, -1) + 1  # the k-th arrow into block b
        y1 = tops[b][0] + 12 + 14 * k if b > a else tops[b][0] + tops[b][1] - 8 - 14 * k
        parts.append(
            f'<path d="M {BOX_LEFT} {y0:.0f} L {x} {y0:.0f} L {x} {y1:.0f} L {BOX_LEFT} {y1:.0f}" fill="none" '
            'stroke="#555" marker-end="url(#arrow)"/>'
        )
        label = ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
        parts.append(
            f'<text x="{BOX_LEFT - 6}" y="{y1 - 3:.0f}" text-anchor="end" font-size="10" fill="#333">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
