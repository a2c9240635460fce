import { describe, expect, it } from 'vitest';
import {
  aggregate,
  byDisease,
  byMonth,
  byRegion,
  bySpecies,
  childOf,
  coverageQuery,
  csvField,
  csvFileName,
  monthRange,
  pathFrom,
  ratio,
  toCsv,
  totals,
  type CoverageRow,
} from './coverage';

function row(authority: string, disease: string, species: string, month: string, v: number, r: number): CoverageRow {
  return { authority, disease, species, month, vaccinated_head: v, registered_head: r, coverage: r ? Math.round((v / r) * 1e4) / 1e4 : 0 };
}

const ROWS: CoverageRow[] = [
  row('KZ-ABY', 'FMD-O', 'cattle', '2026-10', 1, 4),
  row('KZ-ABY-01', 'FMD-O', 'sheep', '2026-11', 120, 400),
  row('KZ-ABY-01-07', 'FMD-O', 'sheep', '2026-11', 10, 10),
  row('KZ-ABY-01-07', 'PPR', 'goat', '2026-09', 0, 50),
  row('KZ-ABY-02', 'PPR', 'sheep', '2026-11', 5, 100),
  row('KZ-ABYX', 'PPR', 'sheep', '2026-11', 99, 99), // not under KZ-ABY
];

describe('childOf', () => {
  it('gives the code one level below the region', () => {
    expect(childOf('KZ-ABY-01-07', 'KZ-ABY')).toBe('KZ-ABY-01');
    expect(childOf('KZ-ABY-01', 'KZ-ABY')).toBe('KZ-ABY-01');
    expect(childOf('KZ-ABY-01-07', 'KZ')).toBe('KZ-ABY');
    expect(childOf('CN-65-650203', 'CN-65')).toBe('CN-65-650203');
  });
  it('keeps the region itself for owners registered at its level', () => {
    expect(childOf('KZ-ABY', 'KZ-ABY')).toBe('KZ-ABY');
  });
  it('leaves out codes outside the subtree, including mere string prefixes', () => {
    expect(childOf('KZ-ABYX', 'KZ-ABY')).toBeNull();
    expect(childOf('KZ', 'KZ-ABY')).toBeNull();
    expect(childOf('KG-C', 'KZ')).toBeNull();
  });
});

describe('pathFrom', () => {
  it('lists the levels from the top down', () => {
    expect(pathFrom('KZ', 'KZ-ABY-01')).toEqual(['KZ', 'KZ-ABY', 'KZ-ABY-01']);
    expect(pathFrom('KZ-ABY', 'KZ-ABY')).toEqual(['KZ-ABY']);
    expect(pathFrom('KZ-ABY', 'KG')).toEqual(['KG']);
  });
});

describe('aggregation', () => {
  it('sums heads by the next level of the authority code and divides the sums', () => {
    expect(byRegion(ROWS, 'KZ-ABY')).toEqual([
      { key: 'KZ-ABY', vaccinated: 1, registered: 4, coverage: 0.25 },
      { key: 'KZ-ABY-01', vaccinated: 130, registered: 460, coverage: 130 / 460 },
      { key: 'KZ-ABY-02', vaccinated: 5, registered: 100, coverage: 0.05 },
    ]);
  });
  it('aggregates at any level of the tree', () => {
    expect(byRegion(ROWS, 'KZ-ABY-01').map((a) => [a.key, a.vaccinated, a.registered])).toEqual([
      ['KZ-ABY-01', 120, 400],
      ['KZ-ABY-01-07', 10, 60],
    ]);
    expect(byRegion(ROWS, 'KZ').map((a) => [a.key, a.vaccinated, a.registered])).toEqual([
      ['KZ-ABY', 136, 564],
      ['KZ-ABYX', 99, 99],
    ]);
  });
  it('weighs by heads, not by averaging the rows\u2019 ratios', () => {
    const rows = [row('A-1', 'PPR', 'sheep', '2026-01', 1, 1), row('A-1', 'PPR', 'sheep', '2026-02', 0, 999)];
    const [a] = byRegion(rows, 'A');
    expect(a.coverage).toBeCloseTo(1 / 1000, 12);
    expect(a.coverage).not.toBeCloseTo(0.5, 3); // what an average of 100 % and 0 % would say
  });
  it('groups by disease and by species', () => {
    const inside = ROWS.slice(0, 5);
    expect(byDisease(inside).map((a) => [a.key, a.vaccinated, a.registered])).toEqual([
      ['FMD-O', 131, 414],
      ['PPR', 5, 150],
    ]);
    expect(bySpecies(inside).map((a) => [a.key, a.vaccinated, a.registered])).toEqual([
      ['cattle', 1, 4],
      ['goat', 0, 50],
      ['sheep', 135, 510],
    ]);
  });
  it('has no coverage where nothing is registered', () => {
    expect(ratio(5, 0)).toBeNull();
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(0, 10)).toBe(0);
    const [a] = aggregate([row('A', 'PPR', 'goat', '2026-01', 3, 0)], (r) => r.species);
    expect(a).toEqual({ key: 'goat', vaccinated: 3, registered: 0, coverage: null });
  });
  it('totals every row', () => {
    expect(totals(ROWS.slice(0, 5))).toEqual({ key: '', vaccinated: 136, registered: 564, coverage: 136 / 564 });
    expect(totals([])).toEqual({ key: '', vaccinated: 0, registered: 0, coverage: null });
  });
  it('a table\u2019s rows add up to the total', () => {
    const inside = ROWS.slice(0, 5);
    for (const table of [byRegion(inside, 'KZ-ABY'), byDisease(inside), bySpecies(inside), byMonth(inside)]) {
      expect(table.reduce((s, a) => s + a.vaccinated, 0)).toBe(136);
      expect(table.reduce((s, a) => s + a.registered, 0)).toBe(564);
    }
  });
});

describe('months', () => {
  it('orders months in time, across years', () => {
    const rows = [
      row('A', 'PPR', 'sheep', '2026-02', 1, 2),
      row('A', 'PPR', 'sheep', '2025-12', 1, 2),
      row('A', 'PPR', 'sheep', '2026-01', 1, 2),
      row('A', 'PPR', 'sheep', '2025-11', 1, 2),
    ];
    expect(byMonth(rows).map((a) => a.key)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
  it('lists every month of the period, a month without rows with no coverage', () => {
    const rows = [row('A', 'PPR', 'sheep', '2026-02', 1, 2), row('A', 'FMD-O', 'sheep', '2025-11', 3, 4)];
    expect(byMonth(rows, '2025-11', '2026-02')).toEqual([
      { key: '2025-11', vaccinated: 3, registered: 4, coverage: 0.75 },
      { key: '2025-12', vaccinated: 0, registered: 0, coverage: null },
      { key: '2026-01', vaccinated: 0, registered: 0, coverage: null },
      { key: '2026-02', vaccinated: 1, registered: 2, coverage: 0.5 },
    ]);
  });
  it('makes month ranges', () => {
    expect(monthRange('2025-12', '2026-11')).toHaveLength(12);
    expect(monthRange('2025-12', '2026-11')[0]).toBe('2025-12');
    expect(monthRange('2025-12', '2026-11')[11]).toBe('2026-11');
    expect(monthRange('2026-03', '2026-03')).toEqual(['2026-03']);
    expect(monthRange('2026-04', '2026-03')).toEqual([]);
    expect(monthRange('2026-4', '2026-05')).toEqual([]);
  });
});

// A strict RFC 4180 reader, to check that what toCsv writes reads back as the same fields.
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        field += text[i++];
      }
    }
    rec.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      out.push(rec);
      rec = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return out;
}

describe('CSV', () => {
  it('quotes commas, quotes, newlines and edge spaces, and nothing else', () => {
    expect(csvField('KZ-ABY')).toBe('KZ-ABY');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(' lead')).toBe('" lead"');
    expect(csvField(0.3)).toBe('0.3');
    expect(csvField(0)).toBe('0');
    expect(csvField(null)).toBe('');
    expect(csvField('Қазақ ئۇيغۇر')).toBe('Қазақ ئۇيغۇر');
  });
  it('starts with a BOM and a header, ends every line with CRLF', () => {
    const csv = toCsv([row('KZ-ABY-01', 'FMD-O', 'sheep', '2026-11', 120, 400)]);
    expect(csv).toBe(
      '\uFEFFauthority,disease,species,month,vaccinated_head,registered_head,coverage\r\n' +
        'KZ-ABY-01,FMD-O,sheep,2026-11,120,400,0.3\r\n',
    );
    expect(toCsv([])).toBe('\uFEFFauthority,disease,species,month,vaccinated_head,registered_head,coverage\r\n');
  });
  it('reads back field for field, awkward values included', () => {
    const rows = [
      row('KZ-ABY,01', 'say "FMD"', 'sheep\r\ngoat', '2026-11', 1, 3),
      row('KZ-ABY-02', 'PPR', 'goat', '2026-10', 0, 0),
    ];
    const parsed = parseCsv(toCsv(rows).slice(1));
    expect(parsed[0]).toEqual(['authority', 'disease', 'species', 'month', 'vaccinated_head', 'registered_head', 'coverage']);
    expect(parsed.slice(1)).toEqual(
      rows.map((r) => [r.authority, r.disease, r.species, r.month, String(r.vaccinated_head), String(r.registered_head), String(r.coverage)]),
    );
  });
  it('names the file after the region and period', () => {
    expect(csvFileName('KZ-ABY', '2025-12', '2026-11')).toBe('coverage-KZ-ABY-2025-12-2026-11.csv');
    expect(csvFileName('../x', '2025-12', '2026-11')).toBe('coverage-___x-2025-12-2026-11.csv');
  });
});

describe('query', () => {
  it('has the filters that are set, in a fixed order', () => {
    expect(coverageQuery({ to: '2026-11', region: 'KZ-ABY', disease: '', species: 'sheep' })).toBe('region=KZ-ABY&species=sheep&to=2026-11');
    expect(coverageQuery({})).toBe('');
  });
});
