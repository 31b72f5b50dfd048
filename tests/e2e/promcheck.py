"""promcheck.py: a checker of the Prometheus text exposition format
(version 0.0.4, what node_exporter's textfile collector reads), used where
promtool is not installed. It follows the format's rules: metric and label
names, label value escapes (only \\\\, \\" and \\n), float values, HELP and
TYPE at most once per family and TYPE before the family's first sample,
each family's samples together, no series twice, valid UTF-8, a final
newline. check(text) returns the list of problems (empty when valid) and
the parsed samples as {(name, ((label, value), ...)): float}."""
import math
import re

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
TYPES = ('counter', 'gauge', 'histogram', 'summary', 'untyped')
SUFFIXES = ('_bucket', '_count', '_sum')


def parse_value(text):
    if text in ('NaN', '+Inf', '-Inf', 'Inf'):
        return float(text.replace('Inf', 'inf').replace('NaN', 'nan'))
    if not re.fullmatch(r'[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?', text):
        raise ValueError('not a number: %r' % text)
    return float(text)


def parse_labels(line, i):
    """Parses {a="b",...} from line[i] == '{'; returns (labels, next index)."""
    labels, i = [], i + 1
    while True:
        if line[i:i + 1] == '}':
            return labels, i + 1
        m = LABEL.match(line, i)
        if not m:
            raise ValueError('bad label name at column %d' % (i + 1))
        name, i = m.group(0), m.end()
        if line[i:i + 2] != '="':
            raise ValueError('label %s: expected ="' % name)
        i += 2
        val = []
        while True:
            if i >= len(line):
                raise ValueError('label %s: value not closed' % name)
            c = line[i]
            if c == '"':
                i += 1
                break
            if c == '\\':
                esc = line[i + 1:i + 2]
                if esc not in ('\\', '"', 'n'):
                    raise ValueError('label %s: bad escape \\%s' % (name, esc))
                val.append({'\\': '\\', '"': '"', 'n': '\n'}[esc])
                i += 2
                continue
            val.append(c)
            i += 1
        if name in dict(labels):
            raise ValueError('label %s given twice' % name)
        labels.append((name, ''.join(val)))
        if line[i:i + 1] == ',':
            i += 1
        elif line[i:i + 1] != '}':
            raise ValueError('expected , or } after label %s' % name)


def family_of(name, types):
    for suf in SUFFIXES:
        base = name[:-len(suf)]
        if name.endswith(suf) and types.get(base) in ('histogram', 'summary'):
            return base
    return name


def check_comment(line, n, types, helps, seen_samples, problems):
    parts = line.split(None, 3)
    if len(parts) < 3 or parts[1] not in ('HELP', 'TYPE'):
        return  # any other comment is allowed
    kind, name = parts[1], parts[2]
    if not NAME.fullmatch(name):
        problems.append('line %d: bad metric name %r in %s' % (n, name, kind))
    if kind == 'TYPE':
        t = parts[3].strip() if len(parts) > 3 else ''
        if t not in TYPES:
            problems.append('line %d: unknown type %r' % (n, t))
        if name in types:
            problems.append('line %d: second TYPE for %s' % (n, name))
        if name in seen_samples:
            problems.append('line %d: TYPE for %s after its samples' % (n, name))
        types[name] = t
    else:
        if name in helps:
            problems.append('line %d: second HELP for %s' % (n, name))
        helps.add(name)
        if re.search(r'\\[^\\n]', parts[3] if len(parts) > 3 else ''):
            problems.append('line %d: bad escape in HELP' % n)


def check(text):
    problems, samples = [], {}
    if isinstance(text, bytes):
        try:
            text = text.decode('utf-8')
        except UnicodeDecodeError as e:
            return ['not UTF-8: %s' % e], samples
    if text and not text.endswith('\n'):
        problems.append('no newline at the end')
    types, helps, seen_samples, closed = {}, set(), set(), set()
    current = None
    for n, line in enumerate(text.split('\n')[:-1] if text.endswith('\n') else text.split('\n'), 1):
        if not line.strip():
            continue
        if line.startswith('#'):
            check_comment(line, n, types, helps, seen_samples, problems)
            continue
        try:
            m = NAME.match(line)
            if not m:
                raise ValueError('bad metric name')
            name, i = m.group(0), m.end()
            labels = []
            if line[i:i + 1] == '{':
                labels, i = parse_labels(line, i)
            rest = line[i:].split()
            if not line[i:i + 1].isspace() or len(rest) not in (1, 2):
                raise ValueError('expected " value [timestamp]"')
            value = parse_value(rest[0])
            if len(rest) == 2 and not re.fullmatch(r'-?\d+', rest[1]):
                raise ValueError('bad timestamp %r' % rest[1])
        except (ValueError, IndexError) as e:
            problems.append('line %d: %s: %r' % (n, e, line))
            continue
        fam = family_of(name, types)
        if fam != current:
            if fam in closed:
                problems.append('line %d: samples of %s are not together' % (n, fam))
            if current:
                closed.add(current)
            current = fam
        seen_samples.add(fam)
        key = (name, tuple(sorted(labels)))
        if key in samples:
            problems.append('line %d: series given twice: %r' % (n, line))
        samples[key] = value
        if math.isnan(value) and types.get(fam) == 'counter':
            problems.append('line %d: a counter is NaN' % n)
    return problems, samples
