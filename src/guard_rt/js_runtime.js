
// What follows runs at the binding's import, so it is kept small: V8 parses
// every byte of it before the first check. The check of a known build runs
// only the functions written `const f = (function f() ...)`: parenthesized,
// V8 compiles them with the module instead of parsing them twice (once to
// skip them, again at their first call). They find the object and read its
// build-id, and compare each declaration with its row as one string. The
// rest (an unknown build's symbol lookups, a refusal's messages, a
// mismatching declaration's member-by-member comparison) is compiled only
// when it runs.

class AbiGuardError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AbiGuardError';
  }
}

const policy = (function policy() {
  const p = process.env.ABIGUARD_POLICY;
  return p === 'default' || p === 'strict' || p === 'warn' || p === 'off' ? p : DEFAULT_POLICY;
});

function refuse(pol, what, strict) {
  if (pol === 'warn')
    return { outcome: 'warned', message: what + '; running anyway (ABIGUARD_POLICY=warn)' };
  if (strict)
    throw new AbiGuardError(what + '; refusing to load under the strict policy (ABIGUARD_POLICY=default would accept it)');
  throw new AbiGuardError(what + '; refusing to load (ABIGUARD_POLICY=warn would run anyway)');
}

const own = ((o, k) => Object.prototype.hasOwnProperty.call(o, k));

// ---- the loaded object, read from memory -------------------------------

// Memory is read a table at a time: one koffi.view (the process's own
// memory, not a copy) seen as a native-order typed array, whose indexing
// costs next to nothing; the first call of each other koffi function costs
// tens of microseconds, so reading goes through this one (and decode.string).
let K = null, W = 8, LE = true, dladdr1 = null;
const use = (function use(koffi) {
  if (K !== koffi) {
    K = koffi;
    W = koffi.sizeof('void *');
    // (Not require('os').endianness(), whose module costs a millisecond to
    // load, nor a typed array made from an array, 60 us the first time.)
    const one = new Uint32Array(1);
    one[0] = 1;
    LE = new Uint8Array(one.buffer)[0] === 1;
    dladdr1 = null;
  }
});
const u32s = ((a, n) => new Uint32Array(K.view(a, 4 * n)));
const u32 = (a) => u32s(a, 1)[0];
// Word i (its first half's index) of a Uint32Array: a uint64 would come back
// as a BigInt. (Addresses and sizes stay below 2^53.)
const word = ((u, i) => (W === 4 ? u[i] : LE ? u[i] + u[i + 1] * 4294967296 : u[i] * 4294967296 + u[i + 1]));
const str = (a) => (K.decode.string ? K.decode.string(a) : K.decode(a, 'char', -1)); // NUL-terminated

// The object lib (a koffi library) was loaded from: the one defining the
// first required symbol it resolves (dladdr1(RTLD_DL_LINKMAP)), as { base,
// name, ld (its link_map's l_addr, l_name, l_ld), dynSize, notes: [address,
// size, alignment, ...] (its PT_NOTE segments, none unless its PT_DYNAMIC
// is the one loaded) }; null if none.
const find = (function find(lib, koffi) {
  use(koffi);
  for (let j = 0; j < SYMBOLS.length; j++) {
    let p;
    try {
      p = lib.symbol(SYMBOLS[j][0], 'char');
    } catch (e) {
      continue; // not found in it
    }
    // (All pointers: typed arrays are passed as their memory, no _Out_ to convert.)
    dladdr1 = dladdr1 || koffi.load('libc.so.6').func('int dladdr1(void *, void *, void *, int)');
    const k = W / 4, info = new Uint32Array(4 * k), out = new Uint32Array(k); // Dl_info; its link_map
    if (!dladdr1(p, info, out, 2) || !word(out, 0)) // RTLD_DL_LINKMAP
      return null;
    const l = u32s(word(out, 0), 3 * k), fbase = word(info, k); // dli_fbase: its ELF header
    const o = { base: word(l, 0), name: word(l, k), ld: word(l, 2 * k), dynSize: 0, notes: [], tags: null };
    const b = W === 8, e = u32s(fbase, b ? 16 : 13);
    const i = b ? 27 : 21; // e_phentsize, e_phnum: 16-bit fields i and i + 1
    const phentsize = LE ? e[i >> 1] >>> 16 : e[i >> 1] & 0xffff, phnum = LE ? e[(i + 1) >> 1] & 0xffff : e[(i + 1) >> 1] >>> 16;
    if (e[0] !== (LE ? 0x464c457f : 0x7f454c46) || (LE ? e[1] & 0xff : e[1] >>> 24) !== (b ? 2 : 1) ||
        phnum === 0 || phnum > 256 || phentsize !== (b ? 56 : 32))
      return o;
    // 64-bit: type, flags, offset, vaddr, paddr, filesz, memsz, align;
    // 32-bit: type, offset, vaddr, paddr, filesz, memsz, flags, align
    const n = phentsize / 4, t = u32s(fbase + (b ? word(e, 8) : e[7]), phnum * n), notes = [];
    for (let x = 0; x < phnum * n; x += n) {
      const at = o.base + (b ? word(t, x + 4) : t[x + 2]), size = b ? word(t, x + 10) : t[x + 5];
      if (t[x] === 2 && at === o.ld)
        o.dynSize = size;
      else if (t[x] === 4)
        notes.push(at, size, (b ? word(t, x + 12) : t[x + 7]) === 8 ? 8 : 4);
    }
    if (o.dynSize)
      o.notes = notes;
    return o;
  }
  return null;
});

// NT_GNU_BUILD_ID from its PT_NOTE segments, in hex, or null.
const buildId = (function buildId(o) {
  const notes = o.notes;
  for (let j = 0; j < notes.length; j += 3) {
    const memsz = notes[j + 1], a = notes[j + 2];
    const u = memsz < 12 ? null : u32s(notes[j], memsz >>> 2);
    for (let pos = 0; u && pos + 12 <= memsz;) {
      const q = pos >> 2, namesz = u[q], descsz = u[q + 1], nameEnd = pos + 12 + ((namesz + a - 1) & ~(a - 1));
      if (nameEnd > u.byteLength)
        break;
      if (u[q + 2] === 3 && namesz === 4 && u[q + 3] === (LE ? 0x00554e47 : 0x474e5500)) { // "GNU"
        const d = new Uint8Array(u.buffer, nameEnd, Math.min(descsz, 64, u.byteLength - nameEnd));
        let id = '';
        for (let x = 0; x < d.length; x++) // (Buffer's hex costs a first call of 100 us)
          id += '0123456789abcdef'[d[x] >> 4] + '0123456789abcdef'[d[x] & 15];
        return id;
      }
      pos = nameEnd + ((descsz + a - 1) & ~(a - 1));
    }
  }
  return null;
});

// ---- an unknown build: its own dynamic symbol table ----------------------

// Its dynamic section as tag -> value (the first of each), read once.
function tags(o) {
  if (!o.tags) {
    const k = W / 4, step = 2 * W, m = new Map();
    const add = (u, i) => { // false at DT_NULL
      const tag = word(u, i); // (only DT_NULL and tags below 2^31 are compared)
      if (tag === 0)
        return false;
      if (!m.has(tag))
        m.set(tag, word(u, i + k));
      return true;
    };
    if (o.dynSize >= step) { // PT_DYNAMIC says how long it is: one read
      const n = Math.floor(o.dynSize / step), u = u32s(o.ld, n * 2 * k);
      for (let i = 0; i < n && add(u, i * 2 * k); i++)
        ;
    } else {
      for (let i = 0; o.ld && i < 4096; i++) // one entry at a time: no read past DT_NULL
        if (!add(u32s(o.ld + i * step, 2 * k), 0))
          break;
    }
    o.tags = m;
    o.strtab = addr(o, m.get(5) || 0);
    o.strsz = m.get(10) || 0;
    o.symtab = addr(o, m.get(6) || 0);
    o.versym = addr(o, m.get(0x6ffffff0) || 0);
    o.versions = null;
  }
  return o.tags;
}

// glibc relocates most entries in place; DT_VERDEF keeps its link-time value.
const addr = (o, v) => (v && v < o.base ? v + o.base : v);
const string = (o, off) => (off < o.strsz ? str(o.strtab + off) : null);

function versionName(o, idx) {
  if (!o.versions) { // read .gnu.version_d once: index -> name
    o.versions = new Map();
    let p = addr(o, o.tags.get(0x6ffffffc) || 0); // DT_VERDEF
    const n = o.tags.get(0x6ffffffd) || 0;         // DT_VERDEFNUM
    for (let i = 0; p && i < n; i++) {
      const v = u32s(p, 5); // vd_version, vd_flags | vd_ndx, vd_cnt | vd_hash, vd_aux, vd_next
      const ndx = LE ? v[1] & 0xffff : v[1] >>> 16, cnt = LE ? v[1] >>> 16 : v[1] & 0xffff;
      if (cnt)
        o.versions.set(ndx, string(o, u32(p + v[3])));
      if (!v[4])
        break;
      p += v[4];
    }
  }
  return o.versions.has(idx) ? o.versions.get(idx) : null;
}

// The tables an unknown build's symbols are looked up in, each seen at once
// (views, not copies): its hash table (GNU, else SysV), .dynsym (as many
// entries as the hash table covers), .gnu.version and .dynstr; o.syms stays
// null when it has no symbol or hash table.
function symbolTables(o) {
  const t = tags(o), gnu = addr(o, t.get(0x6ffffef5) || 0), sysv = addr(o, t.get(4) || 0);
  o.syms = null;
  let count = 0;
  if (o.symtab && gnu) {
    const g = u32s(gnu, 4); // nbuckets, symoffset, bloom size, bloom shift
    const nb = g[0], off = g[1], at = gnu + 16 + g[2] * W, buckets = nb ? u32s(at, nb) : [];
    let last = 0;
    for (let i = 0; i < nb; i++)
      last = Math.max(last, buckets[i]);
    count = off;
    if (last >= off) { // the last chain ends at the first entry with its low bit set
      let i = last;
      while (!(u32(at + 4 * (nb + i - off)) & 1) && i - off < 1 << 24)
        i++;
      count = i + 1;
    }
    o.gnu = [nb, off, buckets, count > off ? u32s(at + 4 * nb, count - off) : []];
  } else if (o.symtab && sysv) {
    const h = u32s(sysv, 2); // nbucket, nchain, buckets, chains
    count = h[1];
    o.sysv = u32s(sysv, 2 + h[0] + h[1]);
  } else {
    return;
  }
  o.syms = count ? u32s(o.symtab, count * (W === 8 ? 6 : 4)) : [];
  o.vers = count && o.versym ? new Uint16Array(K.view(o.versym, 2 * count)) : null;
  o.strs = o.strsz ? new Uint8Array(K.view(o.strtab, o.strsz)) : [];
}

// st_size if symbol i is name (bytes: its UTF-8) at version (or the default
// one), else null; the other versions it has into other.
function defines(o, i, bytes, version, other) {
  const s = o.syms, e = i * (W === 8 ? 6 : 4), str = o.strs;
  // 64-bit: st_name, st_info st_other st_shndx, st_value, st_size;
  // 32-bit: st_name, st_value, st_size, st_info st_other st_shndx
  const packed = W === 8 ? s[e + 1] : s[e + 3];
  const stInfo = LE ? packed & 0xff : packed >>> 24, stShndx = LE ? packed >>> 16 : packed & 0xffff;
  if (stShndx === 0 || stInfo >> 4 === 0 || s[e] + bytes.length >= str.length || str[s[e] + bytes.length] !== 0)
    return null;
  for (let j = 0; j < bytes.length; j++)
    if (str[s[e] + j] !== bytes[j])
      return null;
  let vname = null, hidden = false;
  if (o.vers) {
    let v = o.vers[i];
    hidden = (v & 0x8000) !== 0;
    v &= 0x7fff;
    if (v === 0)
      return null;
    if (v >= 2)
      vname = versionName(o, v);
  }
  if (version ? vname === version : !hidden)
    return W === 8 ? word(s, e + 4) : s[e + 2];
  if (vname)
    other.push(vname);
  return null;
}

// st_size of name's definition (at version, or the default one), or null;
// undefined when there is no hash table to look it up in.
function lookup(o, name, version, other) {
  if (o.syms === undefined)
    symbolTables(o);
  if (!o.syms)
    return undefined;
  let bytes = []; // its UTF-8 (C names are ASCII: Buffer's first use costs 50 us)
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 127) {
      bytes = Buffer.from(name, 'utf8');
      break;
    }
    bytes.push(c);
  }
  if (o.gnu) {
    const [nb, off, buckets, chain] = o.gnu;
    let h = 5381;
    for (const c of bytes)
      h = (Math.imul(h, 33) + c) >>> 0;
    for (let i = nb ? buckets[h % nb] : 0; nb && i >= off && i - off < chain.length; i++) {
      const h2 = chain[i - off];
      if (((h2 | 1) >>> 0) === ((h | 1) >>> 0)) {
        const size = defines(o, i, bytes, version, other);
        if (size !== null)
          return size;
      }
      if (h2 & 1)
        break;
    }
    return null;
  }
  const t = o.sysv, nbucket = t[0], nchain = t[1];
  let h = 0;
  for (const c of bytes) {
    h = ((h << 4) + c) >>> 0;
    const g = (h & 0xf0000000) >>> 0;
    if (g)
      h = (h ^ (g >>> 24)) >>> 0;
    h = (h & ~g) >>> 0;
  }
  let i = nbucket ? t[2 + h % nbucket] : 0;
  for (let steps = 0; i && i < nchain && steps < nchain; steps++) {
    const size = defines(o, i, bytes, version, other);
    if (size !== null)
      return size;
    i = t[2 + nbucket + i];
  }
  return null;
}

// [first difference from the baseline or null, data objects checked]
function compare(o) {
  const t = tags(o), soname = t.has(14) && o.strtab ? string(o, t.get(14)) : null;
  if (SONAME_REQUIRED && soname !== SONAME)
    return [`its SONAME is ${soname ? `'${soname}'` : 'missing'}, not ${SONAME}`, 0];
  let objects = 0;
  for (const [name, version, isObject, size] of SYMBOLS) {
    const other = [];
    const got = lookup(o, name, version, other);
    if (got === undefined)
      return [`its dynamic symbol table has no hash table to look ${name} up in`, objects];
    if (got === null)
      return [`it lacks ${name}${version ? '@' + version : ''}${other.length ? ` (it has ${other[0]})` : ''}`, objects];
    if (isObject) {
      if (got !== size)
        return [`its ${name} is a ${got}-byte object, ${size} bytes in ${BASELINE}`, objects];
      objects++;
    }
  }
  return [null, objects];
}

// Checks the library a koffi binding loaded (lib = koffi.load(...))
// against the release it was built for. Returns { outcome: 'verified' |
// 'accepted-unverified' | 'warned' | 'off', message }; throws
// AbiGuardError when it is refused.
const verify = (function verify(lib, koffi) {
  koffi = koffi || require('koffi');
  const pol = policy();
  if (pol === 'off')
    return { outcome: 'off', message: `${SONAME}: ABI check disabled (ABIGUARD_POLICY=off)` };
  const o = find(lib, koffi), id = o && buildId(o);
  if (id && own(COMPATIBLE, id))
    return { outcome: 'verified', message: `${SONAME} (build-id ${id}) is ${COMPATIBLE[id]}, verified compatible with ${BASELINE} this binding was built against` };
  return unknown(pol, o, id);
});

// Any build but a known compatible one.
function unknown(pol, o, id) {
  if (!o)
    return refuse(pol, `${SONAME}: the library given defines none of the ${SYMBOLS.length} symbols this binding requires: cannot check it against ${BASELINE}`);
  if (id && own(INCOMPATIBLE, id)) {
    const [release, why] = INCOMPATIBLE[id];
    return refuse(pol, `${SONAME} (build-id ${id}) is ${release}, incompatible with ${BASELINE} this binding was built against: ${why}`);
  }
  const [problem, objects] = compare(o), path = o.name ? str(o.name) : '';
  if (problem)
    return refuse(pol, `${SONAME} (${path}, build-id ${id || 'none'}) is an unknown build that does not match ${BASELINE} this binding was built against: ${problem}`);
  const what = `${SONAME} (${path}, build-id ${id || 'none'}) is an unverified build: not a release of ${LIBRARY} known when this guard was generated, but its SONAME${objects ? ',' : ' and'} all ${SYMBOLS.length} required symbols and versions${objects ? ` and the sizes of its ${objects} data objects` : ''} match ${BASELINE}`;
  if (pol === 'strict')
    return refuse(pol, what, true);
  return { outcome: 'accepted-unverified', message: what + '; accepted unverified (ABIGUARD_POLICY=strict would refuse it)' };
}

// ---- the binding's own declarations --------------------------------------

// LAYOUTS[cname] as [kind, size, alignment, [[name, offset, size, bit offset,
// bits]...] | {enumerator: value} | null].
function layout(cname) {
  const [kind, size, align, body] = LAYOUTS[cname].split('|');
  let b = null;
  if (kind === 'enum') {
    b = {};
    for (const e of body ? body.split(';') : []) {
      const eq = e.lastIndexOf('=');
      b[e.slice(0, eq)] = Number(e.slice(eq + 1));
    }
  } else if (kind !== 'typedef') {
    b = body ? body.split(';').map((m) => m.split(',').map((v, i) => (i ? Number(v) : v))) : [];
  }
  return [kind, Number(size), Number(align), b];
}

const typeInfo = ((t) => (typeof K.type === 'function' ? K.type(t) : K.introspect(t)));

function compareFields(cname, got, want, problems) {
  const wantNames = want.map((w) => w[0]);
  const gotNames = got.map((g) => g[0]);
  const used = new Set();
  got.forEach((g, i) => {
    let w;
    if (wantNames.includes(g[0]))
      w = want[wantNames.indexOf(g[0])];
    else if (i < want.length && !gotNames.includes(want[i][0]))
      w = want[i]; // the binding calls it something else
    else {
      problems.push(`${cname}: the binding declares a member ${g[0]} that ${BASELINE} does not have`);
      return;
    }
    used.add(w[0]);
    const label = `${cname}::${w[0]}` + (g[0] === w[0] ? '' : ` (the binding's ${g[0]})`);
    if (w[4])
      problems.push(`${label} is a bit-field (bit ${w[3]}, ${w[4]} bits) in ${BASELINE}: koffi cannot declare it`);
    else if (g[1] !== w[1] || g[2] !== w[2])
      problems.push(`${label} is at offset ${g[1]} (${g[2]} bytes) in the binding's declaration, at offset ${w[1]} (${w[2]} bytes) in ${BASELINE}`);
  });
  for (const w of want)
    if (!used.has(w[0]))
      problems.push(`${cname}::${w[0]} is not in the binding's declaration (offset ${w[1]}, ${w[2]} bytes in ${BASELINE})`);
}

// What is wrong with decl, the binding's declaration of cname, into problems.
function compareLayout(cname, decl, problems) {
  const [kind, size, align, body] = layout(cname);
  if (kind === 'enum' && decl && typeof decl === 'object' && !isType(decl)) {
    for (const k of Object.keys(decl).sort()) {
      if (!own(body, k))
        problems.push(`${cname}: ${k} is not an enumerator of it in ${BASELINE}`);
      else if (Number(decl[k]) !== body[k])
        problems.push(`${cname}: ${k} is ${decl[k]} in the binding, ${body[k]} in ${BASELINE}`);
    }
    return;
  }
  const gsize = K.sizeof(decl), galign = K.alignof(decl);
  if (gsize !== size)
    problems.push(`${cname} is ${gsize} bytes in the binding's declaration, ${size} in ${BASELINE}`);
  if ((kind === 'struct' || kind === 'union') && align && galign !== align)
    problems.push(`${cname} is aligned to ${galign} bytes in the binding's declaration, ${align} in ${BASELINE}`);
  if (kind === 'struct' || kind === 'union') {
    const got = Object.values(typeInfo(decl).members || {}).map((mm) => [mm.name, mm.offset, K.sizeof(mm.type)]);
    const same = got.length === body.length &&
      got.every((g, i) => g[0] === body[i][0] && g[1] === body[i][1] && g[2] === body[i][2] && !body[i][4]);
    if (!same) // (equal: nothing to report)
      compareFields(cname, got, body, problems);
  }
}

const isType = ((d) => d && d.constructor && d.constructor.name === 'TypeObject');

// Whether decl matches row at a glance: a struct or union declared as the
// baseline has it spells its row (as many members, so that no name holds a
// separator), and each enumerator given appears in it with its value (a
// number, under a name without one); nothing parsed. Anything else is
// compared in full.
const same = (function same(row, decl) {
  if (row[0] === 'e' && !isType(decl) && decl && typeof decl === 'object') {
    const body = ';' + row.slice(row.lastIndexOf('|') + 1) + ';';
    for (const k of Object.keys(decl)) {
      const v = decl[k];
      if ((typeof v !== 'number' && typeof v !== 'bigint') || k.includes(';') || k.includes('=') ||
          !body.includes(';' + k + '=' + v + ';'))
        return false;
    }
    return true;
  }
  if ((row[0] !== 's' && row[0] !== 'u') || !isType(decl))
    return false;
  const members = typeInfo(decl).members;
  let got = (row[0] === 's' ? 'struct|' : 'union|') + K.sizeof(decl) + '|' + K.alignof(decl) + '|', n = 0;
  for (const k in members) {
    const m = members[k];
    got += (n++ ? ';' : '') + m.name + ',' + m.offset + ',' + K.sizeof(m.type) + ',' + m.offset * 8 + ',0';
  }
  return got === row && (n === 0 || row.split(';').length === n);
});

// Compares the binding's koffi declarations with the baseline's layouts:
// declared maps a C type name ('struct geo_point', 'enum geo_kind', a
// typedef) to a koffi type (koffi.struct(...), koffi.union(...), a type
// name) or, for an enum, an object of its constants. Each mismatch names
// the member, both offsets and both sizes. Returns { outcome, message,
// checked }; throws AbiGuardError on a mismatch (unless ABIGUARD_POLICY is
// warn or off), and TypeError for a name not in LAYOUTS.
const verifyLayouts = (function verifyLayouts(declared, koffi) {
  koffi = koffi || require('koffi');
  const pol = policy();
  if (pol === 'off')
    return { outcome: 'off', message: 'layout check disabled (ABIGUARD_POLICY=off)', checked: 0 };
  use(koffi);
  const problems = [], names = Object.keys(declared);
  for (let j = 0; j < names.length; j++) {
    const cname = names[j], decl = declared[cname];
    if (!own(LAYOUTS, cname))
      throw new TypeError(`${cname}: not one of the types the symbols this guard checks reach in ${BASELINE}: ${Object.keys(LAYOUTS).sort().join(', ')}`);
    if (!same(LAYOUTS[cname], decl))
      compareLayout(cname, decl, problems);
  }
  if (problems.length) {
    const r = refuse(pol, `the binding's declarations do not match ${BASELINE}: ${problems.join('; ')}`);
    return Object.assign(r, { checked: names.length });
  }
  return { outcome: 'verified', message: `${names.length} declarations match ${BASELINE}`, checked: names.length };
});

module.exports = {
  verify, verifyLayouts, AbiGuardError, LIBRARY, BASELINE, SONAME, FINGERPRINTS,
  // C type -> [kind, size, alignment, members | enumerators | null], parsed when asked for
  get LAYOUTS() {
    const all = {};
    for (const k of Object.keys(LAYOUTS))
      all[k] = layout(k);
    return all;
  },
};
