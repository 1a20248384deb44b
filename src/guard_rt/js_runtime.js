
// What follows runs at the binding's import, so it is kept small: V8 parses
// every byte of a module's code before its first line runs (a kilobyte of
// code costs tens of microseconds), and compiles each function at its
// first call. The check of a known build runs only the functions written
// `const f = (function f() ...)`: parenthesized, V8 compiles them with the
// module instead of parsing them twice (once to skip them, again at their
// first call). They find the object, read its build-id and compare each
// declaration with its row as one string. An unknown build's check is two
// functions, compiled when it runs. The rest (a refusal's messages, the
// full symbol look-up that says what differs, a mismatching declaration's
// member-by-member comparison) is the string COLD at the end, which V8 only
// scans; cold() compiles it the first time it is needed.

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

const own = ((o, k) => Object.prototype.hasOwnProperty.call(o, k));

// ---- the loaded object, read from memory -------------------------------

// Memory is read a table at a time: one koffi.view (the process's own
// memory, not a copy) seen as a native-order typed array, whose indexing
// costs next to nothing; the first call of each other koffi function costs
// tens of microseconds, so reading goes through this one (and decode.string).
// G: the koffi in use, its pointer size (W) and byte order (LE), dladdr1
// and the library it was looked up through (from).
const G = { K: null, W: 8, LE: true, dladdr1: null, from: null };
const use = (function use(koffi) {
  if (G.K !== koffi) {
    G.K = koffi;
    G.W = koffi.sizeof('void *');
    // (Not require('os').endianness(), whose module costs a millisecond to
    // load, nor a typed array made from an array, 60 us the first time.)
    const one = new Uint32Array(1);
    one[0] = 1;
    G.LE = new Uint8Array(one.buffer)[0] === 1;
    G.dladdr1 = G.from = null;
  }
});
const u32s = ((a, n) => new Uint32Array(G.K.view(a, 4 * n)));
// Word i (its first half's index) of a Uint32Array: a uint64 would come back
// as a BigInt. (Addresses and sizes stay below 2^53.)
const word = ((u, i) => (G.W === 4 ? u[i] : G.LE ? u[i] + u[i + 1] * 4294967296 : u[i] * 4294967296 + u[i + 1]));
const str = (a) => (G.K.decode.string ? G.K.decode.string(a) : G.K.decode(a, 'char', -1)); // NUL-terminated

// The object lib (a koffi library) was loaded from: the one defining the
// first required symbol it resolves (dladdr1(RTLD_DL_LINKMAP)), as { base,
// name, ld (its link_map's l_addr, l_name, l_ld), fbase (where its ELF
// header is mapped: dladdr1's dli_fbase), dynSize, notes: [address,
// size, alignment, ...] (its PT_NOTE segments, none unless its PT_DYNAMIC
// is the one loaded) }; null if none.
const find = (function find(lib, koffi) {
  use(koffi);
  const W = G.W, LE = G.LE;
  for (let j = 0; j < SYMBOLS.length; j++) {
    let p;
    try {
      p = lib.symbol(SYMBOLS[j][0], 'char');
    } catch (e) {
      continue; // not found in it
    }
    // dladdr1 as the library resolves it (libc is among what it depends on;
    // 20 us less than loading libc again), else libc's. (All pointers: typed
    // arrays are passed as their memory, no _Out_ to convert.)
    if (G.from !== lib) {
      try {
        G.dladdr1 = lib.func('int dladdr1(void *, void *, void *, int)');
      } catch (e) {
        G.dladdr1 = koffi.load('libc.so.6').func('int dladdr1(void *, void *, void *, int)');
      }
      G.from = lib;
    }
    const k = W / 4, info = new Uint32Array(4 * k), out = new Uint32Array(k); // Dl_info; its link_map
    if (!G.dladdr1(p, info, out, 2) || !word(out, 0)) // RTLD_DL_LINKMAP
      return null;
    const l = u32s(word(out, 0), 3 * k), fbase = word(info, k); // dli_fbase: its ELF header
    const o = { base: word(l, 0), name: word(l, k), ld: word(l, 2 * k), fbase, dynSize: 0, notes: [] };
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
      if (u[q + 2] === 3 && namesz === 4 && u[q + 3] === (G.LE ? 0x00554e47 : 0x474e5500)) { // "GNU"
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

// An unknown build is accepted when each required symbol binds to its own
// definition, at the baseline's version and with the baseline's size for a
// data object. unknown() asks the dynamic linker: lib.symbol() resolves each
// (dlsym), dladdr1(RTLD_DL_SYMENT) says which object defines it and gives
// its .dynsym entry. Anything else goes to COLD's unbound(), which looks each
// symbol up in the hash table, finds one at a version other than the
// default one, or says what is missing. Each function's first call costs
// its compilation, tens of microseconds for a few lines: this path is one
// function, and one helper.

// glibc relocates most entries in place; DT_VERDEF keeps its link-time value.
const addr = (o, v) => (v > 0 && v < o.base ? v + o.base : Math.max(v, 0));
// Its dynamic section's entry for tag (the first one), or -1; o.d holds the
// standard tags (below 64) at their own index and the GNU and version tags
// (0x6ffffe00 to 0x6fffffff) at 64 + tag - 0x6ffffe00: an object keyed by
// tags would convert each one above 2^30 to a string.
const dt = (o, tag) => o.d[tag < 64 ? tag : 64 + tag - 0x6ffffe00];
// Whether the NUL-terminated string at off in its string table is s (ASCII).
function spells(o, off, s) {
  const b = o.strs, n = s.length;
  if (!b || off < 0 || off + n >= b.length || b[off + n] !== 0)
    return false;
  for (let i = 0; i < n; i++)
    if (b[off + i] !== s.charCodeAt(i))
      return false;
  return true;
}

// Its version definitions' names (their offsets in its string table) by
// index, read once from .gnu.version_d (vd_version, vd_flags | vd_ndx,
// vd_cnt | vd_hash, vd_aux, vd_next; its first vda_name).
function verdefs(o) {
  if (!o.vd) {
    o.vd = [];
    for (let q = addr(o, dt(o, 0x6ffffffc)), x = 0; q && x < dt(o, 0x6ffffffd); x++) { // DT_VERDEF, DT_VERDEFNUM
      const f = u32s(q, 5);
      if ((G.LE ? f[1] >>> 16 : f[1] & 0xffff) !== 0)
        o.vd[G.LE ? f[1] & 0xffff : f[1] >>> 16] = u32s(q + f[3], 1)[0];
      if (!f[4])
        break;
      q += f[4];
    }
  }
  return o.vd;
}

// Any build but a known compatible one. Reads its dynamic section (o.d)
// and string table (o.strtab, o.strsz, o.strs).
function unknown(lib, pol, o, id) {
  if (!o || (id && own(INCOMPATIBLE, id)))
    return cold().known(pol, o, id);
  const W = G.W, k = W / 4, step = 2 * k, d = (o.d = new Array(576).fill(-1));
  // PT_DYNAMIC says how long it is: one read; else one entry at a time, not
  // past DT_NULL. (Only DT_NULL and tags below 2^31 are compared.)
  const n = o.dynSize >= 2 * W ? Math.floor(o.dynSize / (2 * W)) : o.ld ? 4096 : 0;
  const all = o.dynSize >= 2 * W ? u32s(o.ld, n * step) : null;
  for (let i = 0; i < n; i++) {
    const u = all || u32s(o.ld + i * 2 * W, step), x = all ? i * step : 0, tag = word(u, x);
    if (tag === 0)
      break;
    const at = tag < 64 ? tag : tag >= 0x6ffffe00 && tag <= 0x6fffffff ? 64 + tag - 0x6ffffe00 : -1;
    if (at >= 0 && d[at] === -1)
      d[at] = word(u, x + k);
  }
  o.strtab = addr(o, d[5]); // DT_STRTAB, DT_STRSZ
  o.strsz = o.strtab ? Math.max(d[10], 0) : 0;
  o.strs = o.strsz ? new Uint8Array(G.K.view(o.strtab, o.strsz)) : null;
  if (SONAME_REQUIRED && !spells(o, d[14], SONAME)) // DT_SONAME
    return cold().unbound(pol, o, id);
  const entsize = W === 8 ? 24 : 16, symtab = addr(o, d[6]), versym = addr(o, dt(o, 0x6ffffff0));
  const info = new Uint32Array(4 * k), out = new Uint32Array(k); // Dl_info; its ElfW(Sym) *
  let objects = 0;
  for (let j = 0; j < SYMBOLS.length; j++) {
    const name = SYMBOLS[j][0], version = SYMBOLS[j][1];
    let p;
    try {
      p = lib.symbol(name, 'char');
    } catch (e) {
      return cold().unbound(pol, o, id);
    }
    if (!G.dladdr1(p, info, out, 1) || word(info, k) !== o.fbase) // RTLD_DL_SYMENT
      return cold().unbound(pol, o, id);
    const at = word(out, 0), i = (at - symtab) / entsize; // (an entry of .dynsym: nothing else is read)
    if (!at || !symtab || i < 0 || i % 1 !== 0)
      return cold().unbound(pol, o, id);
    const e = u32s(at, entsize / 4); // st_name first
    let v = versym ? new Uint16Array(G.K.view(versym + 2 * i, 2))[0] : 1;
    if (!spells(o, e[0], name) ||
        (version === null ? v & 0x8000 : (v &= 0x7fff) < 2 || !spells(o, verdefs(o)[v], version)) ||
        (SYMBOLS[j][2] && (W === 8 ? word(e, 4) : e[2]) !== SYMBOLS[j][3])) // st_size
      return cold().unbound(pol, o, id);
    objects += SYMBOLS[j][2] ? 1 : 0;
  }
  return accepted(pol, o, id, objects);
}

// The outcome for an unknown build that matches the baseline.
function accepted(pol, o, id, objects) {
  const what = `${SONAME} (${o.name ? str(o.name) : ''}, build-id ${id || 'none'}) is an unverified build: not a release of ${LIBRARY} known when this guard was generated, but its SONAME${objects ? ',' : ' and'} all ${SYMBOLS.length} required symbols and versions${objects ? ` and the sizes of its ${objects} data objects` : ''} match ${BASELINE}`;
  if (pol === 'strict')
    return cold().refuse(pol, what, true);
  return { outcome: 'accepted-unverified', message: what + '; accepted unverified (ABIGUARD_POLICY=strict would refuse it)' };
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
  return unknown(lib, pol, o, id);
});

// ---- the binding's own declarations --------------------------------------

const typeInfo = ((t) => (typeof G.K.type === 'function' ? G.K.type(t) : G.K.introspect(t)));
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
  const K = G.K, members = typeInfo(decl).members;
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
      cold().compareLayout(cname, decl, problems);
  }
  if (problems.length) {
    const r = cold().refuse(pol, `the binding's declarations do not match ${BASELINE}: ${problems.join('; ')}`);
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
      all[k] = cold().layout(k);
    return all;
  },
};

// ---- compiled when needed ------------------------------------------------

// COLD's functions, compiled the first time: by eval, as a function of the
// names it uses; or, under node --disallow-code-generation-from-strings,
// which forbids eval but not the vm module, by vm.compileFunction.
const COLD_NAMES = ['G', 'LIBRARY', 'BASELINE', 'SONAME', 'SONAME_REQUIRED', 'SYMBOLS', 'HASHES', 'INCOMPATIBLE',
                    'LAYOUTS', 'AbiGuardError', 'own', 'u32s', 'word', 'str', 'addr', 'dt', 'verdefs', 'accepted',
                    'typeInfo', 'isType'];
let compiled = null;
function cold() {
  if (!compiled) {
    let make;
    try {
      make = (0, eval)(`(function (${COLD_NAMES.join(', ')}) {\n${COLD}\n})`);
    } catch (e) {
      if (!(e instanceof EvalError))
        throw e;
      make = require('vm').compileFunction(COLD, COLD_NAMES);
    }
    compiled = make(G, LIBRARY, BASELINE, SONAME, SONAME_REQUIRED, SYMBOLS, HASHES, INCOMPATIBLE, LAYOUTS,
                    AbiGuardError, own, u32s, word, str, addr, dt, verdefs, accepted, typeInfo, isType);
  }
  return compiled;
}

// The generator writes the lines from here to "// <<< COLD" as the string
// COLD, without their comment lines and indentation. It is the body of a
// function of COLD_NAMES, and returns the functions the module calls. The
// full look-up is parenthesized: a refusal runs it all.
// >>> COLD
'use strict';

function refuse(pol, what, strict) {
  if (pol === 'warn')
    return { outcome: 'warned', message: what + '; running anyway (ABIGUARD_POLICY=warn)' };
  if (strict)
    throw new AbiGuardError(what + '; refusing to load under the strict policy (ABIGUARD_POLICY=default would accept it)');
  throw new AbiGuardError(what + '; refusing to load (ABIGUARD_POLICY=warn would run anyway)');
}

// ---- an unknown build whose symbols do not all bind as the baseline's

// The string at off in its string table, or null.
function string(o, off) {
  if (off < 0 || off >= o.strsz)
    return null;
  let end = off;
  while (end < o.strsz && o.strs[end] !== 0)
    end++;
  return Buffer.from(o.strs.buffer, o.strs.byteOffset + off, end - off).toString('utf8');
}

const versionName = (o, idx) => (verdefs(o)[idx] === undefined ? null : string(o, verdefs(o)[idx]));

// The tables its symbols are looked up in, each seen at once (views, not
// copies): its hash table (GNU: o.gnu; else SysV: o.sysv), .dynsym (o.syms,
// as many entries as the hash table covers) and .gnu.version (o.vers);
// o.syms stays null when it has no symbol or hash table.
const tables = (function tables(o) {
  const at0 = (tag) => addr(o, Math.max(dt(o, tag), 0));
  const symtab = at0(6), gnu = at0(0x6ffffef5), sysv = at0(4), versym = at0(0x6ffffff0); // DT_GNU_HASH, DT_HASH
  let count = 0;
  o.syms = null;
  if (symtab && gnu) {
    const g = u32s(gnu, 4); // nbuckets, symoffset, bloom size, bloom shift
    const nb = g[0], off = g[1], at = gnu + 16 + g[2] * G.W, buckets = nb ? u32s(at, nb) : null;
    let last = 0;
    for (let i = 0; i < nb; i++)
      if (buckets[i] > last)
        last = buckets[i];
    count = off;
    if (last >= off) { // the last chain ends at the first entry with its low bit set
      // (read up to the end of a page at a time: mapped, as its first entry is)
      let a = at + 4 * (nb + last - off), u = null, x = 0, i = last;
      for (;;) {
        if (!u || x === u.length) {
          const m = (4096 - (a & 4095)) >>> 2;
          u = u32s(a, m);
          a += 4 * m;
          x = 0;
        }
        if (u[x++] & 1 || i - off >= 1 << 24)
          break;
        i++;
      }
      count = i + 1;
    }
    o.gnu = { nb, off, buckets, chain: count > off ? u32s(at + 4 * nb, count - off) : null };
  } else if (symtab && sysv) {
    const h = u32s(sysv, 2); // nbucket, nchain, buckets, chains
    count = h[1];
    o.sysv = u32s(sysv, 2 + h[0] + h[1]);
  } else {
    return;
  }
  o.syms = count ? u32s(symtab, count * (G.W === 8 ? 6 : 4)) : new Uint32Array(0);
  o.vers = count && versym ? new Uint16Array(G.K.view(versym, 2 * count)) : null;
});

// st_size if symbol i is name (bytes: its UTF-8, one char a byte) at version
// (or the default one), else null; the other versions it has into other.
const defines = (function defines(o, i, bytes, version, other) {
  const s = o.syms, e = i * (G.W === 8 ? 6 : 4), strs = o.strs, at = s[e], n = bytes.length;
  // 64-bit: st_name, st_info st_other st_shndx, st_value, st_size;
  // 32-bit: st_name, st_value, st_size, st_info st_other st_shndx
  const packed = G.W === 8 ? s[e + 1] : s[e + 3];
  const stInfo = G.LE ? packed & 0xff : packed >>> 24, stShndx = G.LE ? packed >>> 16 : packed & 0xffff;
  if (stShndx === 0 || stInfo >> 4 === 0 || !strs || at + n >= strs.length || strs[at + n] !== 0)
    return null;
  for (let j = 0; j < n; j++)
    if (strs[at + j] !== bytes.charCodeAt(j))
      return null;
  let v = o.vers ? o.vers[i] : 1;
  const hidden = (v & 0x8000) !== 0;
  v &= 0x7fff;
  if (v === 0)
    return null;
  if (version === null ? !hidden : v >= 2 && versionName(o, v) === version)
    return G.W === 8 ? word(s, e + 4) : s[e + 2];
  const vname = v >= 2 ? versionName(o, v) : null;
  if (vname)
    other.push(vname);
  return null;
});

// st_size of name's definition (at version, or the default one), or null;
// undefined when there is no hash table to look it up in. hash: the GNU
// hash of its name, which the generator wrote.
const lookup = (function lookup(o, name, version, other, hash) {
  if (!o.syms)
    return undefined;
  let bytes = name; // (C names are ASCII)
  for (let i = 0; i < name.length; i++)
    if (name.charCodeAt(i) > 127) {
      bytes = Buffer.from(name, 'utf8').toString('latin1');
      break;
    }
  if (o.gnu) {
    const { nb, off, buckets, chain } = o.gnu;
    for (let i = nb ? buckets[hash % nb] : 0; chain && i >= off && i - off < chain.length; i++) {
      const h2 = chain[i - off];
      if (((h2 | 1) >>> 0) === ((hash | 1) >>> 0)) {
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
  for (let j = 0; j < bytes.length; j++) {
    h = ((h << 4) + bytes.charCodeAt(j)) >>> 0;
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
});

// [first difference from the baseline or null, data objects checked]
const compare = (function compare(o, soname) {
  if (SONAME_REQUIRED && soname !== SONAME)
    return [`its SONAME is ${soname ? `'${soname}'` : 'missing'}, not ${SONAME}`, 0];
  tables(o);
  let objects = 0;
  for (let j = 0; j < SYMBOLS.length; j++) {
    const name = SYMBOLS[j][0], version = SYMBOLS[j][1], size = SYMBOLS[j][3], other = [];
    const got = lookup(o, name, version, other, HASHES[j]);
    if (got === undefined)
      return [`its dynamic symbol table has no hash table to look ${name} up in`, objects];
    if (got === null)
      return [`it lacks ${name}${version ? '@' + version : ''}${other.length ? ` (it has ${other[0]})` : ''}`, objects];
    if (SYMBOLS[j][2]) {
      if (got !== size)
        return [`its ${name} is a ${got}-byte object, ${size} bytes in ${BASELINE}`, objects];
      objects++;
    }
  }
  return [null, objects];
});

// A build that defines none of the symbols, or a release known incompatible.
function known(pol, o, id) {
  if (!o)
    return refuse(pol, `${SONAME}: the library given defines none of the ${SYMBOLS.length} symbols this binding requires: cannot check it against ${BASELINE}`);
  const [release, why] = INCOMPATIBLE[id];
  return refuse(pol, `${SONAME} (build-id ${id}) is ${release}, incompatible with ${BASELINE} this binding was built against: ${why}`);
}

// An unknown build whose symbols do not all bind as the baseline's: what
// differs, or accepted() when each is there after all (at a version other
// than the default one).
function unbound(pol, o, id) {
  const [problem, objects] = compare(o, dt(o, 14) >= 0 ? string(o, dt(o, 14)) : null); // DT_SONAME
  if (!problem)
    return accepted(pol, o, id, objects);
  const path = o.name ? str(o.name) : '';
  return refuse(pol, `${SONAME} (${path}, build-id ${id || 'none'}) is an unknown build that does not match ${BASELINE} this binding was built against: ${problem}`);
}

// ---- a declaration that does not spell its row

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
  const [kind, size, align, body] = layout(cname), K = G.K;
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

return { refuse, known, unbound, layout, compareLayout };
// <<< COLD
