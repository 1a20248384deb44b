
class AbiGuardError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AbiGuardError';
  }
}

function policy() {
  const p = process.env.ABIGUARD_POLICY || '';
  return ['default', 'strict', 'warn', 'off'].includes(p) ? p : DEFAULT_POLICY;
}

function refuse(pol, what, strict) {
  if (pol === 'warn')
    return { outcome: 'warned', message: what + '; running anyway (ABIGUARD_POLICY=warn)' };
  if (strict)
    throw new AbiGuardError(what + '; refusing to load under the strict policy (ABIGUARD_POLICY=default would accept it)');
  throw new AbiGuardError(what + '; refusing to load (ABIGUARD_POLICY=warn would run anyway)');
}

// ---- the loaded object, read from memory -------------------------------

// Not require('os').endianness(): loading the os module costs a millisecond.
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function reader(koffi) {
  const W = koffi.sizeof('void *');
  const u32 = (a) => koffi.decode(a, 'uint32');
  // A 64-bit word as two halves: a uint64 would come back as a BigInt, one
  // more object for the garbage collector. (Addresses and sizes stay below 2^53.)
  const word = W === 8 ? (a) => (LE ? u32(a) + u32(a + 4) * 4294967296 : u32(a) * 4294967296 + u32(a + 4)) : u32;
  // Every read is a koffi.decode of a scalar: cheaper than a koffi.view,
  // which makes an ArrayBuffer for the garbage collector each time.
  return {
    W,
    u8: (a) => koffi.decode(a, 'uint8'),
    u16: (a) => koffi.decode(a, 'uint16'),
    u32,
    word,
    sword: word, // only DT_NULL (0) and tags below 2^31 are compared
    bytes: (a, n) => koffi.decode(a, 0, 'uint8', n),
    str: (a) => koffi.decode(a, 'char', -1), // NUL-terminated
  };
}

class LoadedObject {
  // lm: its link_map; fbase: where its first segment, and so its ELF
  // header, is mapped (dladdr's dli_fbase).
  constructor(m, lm, fbase) {
    this.m = m;
    this.base = m.word(lm);
    const name = m.word(lm + m.W);
    this.path = name ? m.str(name) : '';
    this.ld = m.word(lm + 2 * m.W);
    this.notes = fbase ? this.phdrs(fbase) : [];
    this.tags = new Map();
    const step = 2 * m.W;
    for (let i = 0; this.ld && i < 4096; i++) { // one entry at a time: no read past DT_NULL
      const tag = m.sword(this.ld + i * step);
      if (tag === 0)
        break;
      if (!this.tags.has(tag))
        this.tags.set(tag, m.word(this.ld + i * step + m.W));
    }
    this.strtab = this.addr(this.tags.get(5) || 0);
    this.strsz = this.tags.get(10) || 0;
    this.soname = this.tags.has(14) && this.strtab ? this.string(this.tags.get(14)) : null;
    this.versions = null;
  }

  // glibc relocates most entries in place; DT_VERDEF keeps its link-time value.
  addr(v) {
    return v && v < this.base ? v + this.base : v;
  }

  string(off) {
    return off < this.strsz ? this.m.str(this.strtab + off) : null;
  }

  // [[PT_NOTE address, size, alignment]...] from the program headers; []
  // unless its PT_DYNAMIC is the one loaded.
  phdrs(fbase) {
    const m = this.m, W = m.W;
    if (m.u32(fbase) !== (LE ? 0x464c457f : 0x7f454c46) || m.u8(fbase + 4) !== (W === 8 ? 2 : 1))
      return [];
    const phoff = W === 8 ? m.word(fbase + 32) : m.u32(fbase + 28);
    const phentsize = m.u16(fbase + (W === 8 ? 54 : 42)), phnum = m.u16(fbase + (W === 8 ? 56 : 44));
    if (phnum === 0 || phnum > 256 || phentsize !== (W === 8 ? 56 : 32))
      return [];
    const notes = [];
    let dynamicOk = false;
    for (let i = 0; i < phnum; i++) {
      const ph = fbase + phoff + i * phentsize;
      const type = m.u32(ph);
      if (type !== 2 && type !== 4)
        continue;
      const vaddr = W === 8 ? m.word(ph + 16) : m.u32(ph + 8);
      if (type === 2) {
        dynamicOk = this.base + vaddr === this.ld;
        continue;
      }
      const memsz = W === 8 ? m.word(ph + 40) : m.u32(ph + 20);
      const align = W === 8 ? m.word(ph + 48) : m.u32(ph + 28);
      notes.push([this.base + vaddr, memsz, align === 8 ? 8 : 4]);
    }
    return dynamicOk ? notes : [];
  }

  // NT_GNU_BUILD_ID from its PT_NOTE segments, or null.
  buildId() {
    const m = this.m;
    for (const [addr, memsz, a] of this.notes) {
      let pos = 0;
      while (pos + 12 <= memsz) {
        const namesz = m.u32(addr + pos), descsz = m.u32(addr + pos + 4), type = m.u32(addr + pos + 8);
        const nameEnd = pos + 12 + ((namesz + a - 1) & ~(a - 1));
        if (type === 3 && namesz === 4 && m.u32(addr + pos + 12) === (LE ? 0x00554e47 : 0x474e5500))
          return Buffer.from(m.bytes(addr + nameEnd, Math.min(descsz, 64))).toString('hex');
        pos = nameEnd + ((descsz + a - 1) & ~(a - 1));
      }
    }
    return null;
  }

  versionName(idx) {
    if (!this.versions) { // read .gnu.version_d once: index -> name
      const m = this.m;
      this.versions = new Map();
      let p = this.addr(this.tags.get(0x6ffffffc) || 0); // DT_VERDEF
      const n = this.tags.get(0x6ffffffd) || 0;           // DT_VERDEFNUM
      for (let i = 0; p && i < n; i++) {
        const ndx = m.u16(p + 4), cnt = m.u16(p + 6), aux = m.u32(p + 12), next = m.u32(p + 16);
        if (cnt)
          this.versions.set(ndx, this.string(m.u32(p + aux)));
        if (!next)
          break;
        p += next;
      }
    }
    return this.versions.has(idx) ? this.versions.get(idx) : null;
  }

  defines(i, name, version, other) {
    const m = this.m;
    const sym = this.symtab + i * (m.W === 8 ? 24 : 16);
    const stName = m.u32(sym);
    const stInfo = m.u8(sym + (m.W === 8 ? 4 : 12));
    const stShndx = m.u16(sym + (m.W === 8 ? 6 : 14));
    const stSize = m.W === 8 ? m.word(sym + 16) : m.u32(sym + 8);
    if (stShndx === 0 || stInfo >> 4 === 0 || this.string(stName) !== name)
      return null;
    let vname = null, hidden = false;
    if (this.versym) {
      let v = m.u16(this.versym + 2 * i);
      hidden = (v & 0x8000) !== 0;
      v &= 0x7fff;
      if (v === 0)
        return null;
      if (v >= 2)
        vname = this.versionName(v);
    }
    if (version ? vname === version : !hidden)
      return stSize;
    if (vname)
      other.push(vname);
    return null;
  }

  // st_size of name's definition (at version, or the default one), or null;
  // undefined when there is no hash table to look it up in.
  lookup(name, version, other) {
    const m = this.m;
    this.symtab = this.addr(this.tags.get(6) || 0);
    this.versym = this.addr(this.tags.get(0x6ffffff0) || 0);
    const gnu = this.addr(this.tags.get(0x6ffffef5) || 0), sysv = this.addr(this.tags.get(4) || 0);
    const bytes = Buffer.from(name, 'utf8');
    if (this.symtab && gnu) {
      const nbuckets = m.u32(gnu), symoffset = m.u32(gnu + 4), bloomSize = m.u32(gnu + 8);
      const buckets = gnu + 16 + bloomSize * m.W, chain = buckets + 4 * nbuckets;
      let h = 5381;
      for (const c of bytes)
        h = (Math.imul(h, 33) + c) >>> 0;
      if (!nbuckets)
        return null;
      let i = m.u32(buckets + 4 * (h % nbuckets));
      if (i < symoffset)
        return null;
      for (;; i++) {
        const h2 = m.u32(chain + 4 * (i - symoffset));
        if (((h2 | 1) >>> 0) === ((h | 1) >>> 0)) {
          const size = this.defines(i, name, version, other);
          if (size !== null)
            return size;
        }
        if (h2 & 1)
          return null;
      }
    }
    if (this.symtab && sysv) {
      const nbucket = m.u32(sysv), nchain = m.u32(sysv + 4);
      let h = 0;
      for (const c of bytes) {
        h = ((h << 4) + c) >>> 0;
        const g = (h & 0xf0000000) >>> 0;
        if (g)
          h = (h ^ (g >>> 24)) >>> 0;
        h = (h & ~g) >>> 0;
      }
      if (!nbucket)
        return null;
      let i = m.u32(sysv + 8 + 4 * (h % nbucket));
      for (let steps = 0; i && i < nchain && steps < nchain; steps++) {
        const size = this.defines(i, name, version, other);
        if (size !== null)
          return size;
        i = m.u32(sysv + 8 + 4 * nbucket + 4 * i);
      }
      return null;
    }
    return undefined;
  }

  // [first difference from the baseline or null, data objects checked]
  compare() {
    if (SONAME_REQUIRED && this.soname !== SONAME)
      return [`its SONAME is ${this.soname ? `'${this.soname}'` : 'missing'}, not ${SONAME}`, 0];
    let objects = 0;
    for (const [name, version, isObject, size] of SYMBOLS) {
      const other = [];
      const got = this.lookup(name, version, other);
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
}

let libc = null;

// The object lib (a koffi library) was loaded from: the one defining the
// first required symbol it resolves (dladdr1(RTLD_DL_LINKMAP)); null if none.
function loaded(lib, koffi) {
  if (!libc) {
    const c = koffi.load('libc.so.6');
    libc = { dladdr1: c.func('int dladdr1(void *addr, void *info, _Out_ void **extra, int flags)') };
  }
  const m = reader(koffi);
  for (const [name] of SYMBOLS) {
    let p;
    try {
      p = lib.symbol(name, 'char');
    } catch (e) {
      continue; // not found in it
    }
    const info = Buffer.alloc(4 * m.W), out = [null]; // Dl_info: dli_fname, dli_fbase, ...
    if (!libc.dladdr1(p, info, out, 2) || !out[0]) // RTLD_DL_LINKMAP
      return null;
    const fbase = m.W === 8 ? Number(LE ? info.readBigUInt64LE(8) : info.readBigUInt64BE(8))
      : (LE ? info.readUInt32LE(4) : info.readUInt32BE(4));
    return new LoadedObject(m, Number(koffi.address(out[0])), fbase);
  }
  return null;
}

// Checks the library a koffi binding loaded (lib = koffi.load(...))
// against the release it was built for. Returns { outcome: 'verified' |
// 'accepted-unverified' | 'warned' | 'off', message }; throws
// AbiGuardError when it is refused.
function verify(lib, koffi) {
  koffi = koffi || require('koffi');
  const pol = policy();
  if (pol === 'off')
    return { outcome: 'off', message: `${SONAME}: ABI check disabled (ABIGUARD_POLICY=off)` };
  const o = loaded(lib, koffi);
  if (!o)
    return refuse(pol, `${SONAME}: the library given defines none of the ${SYMBOLS.length} symbols this binding requires: cannot check it against ${BASELINE}`);
  const id = o.buildId();
  if (id && Object.prototype.hasOwnProperty.call(COMPATIBLE, id))
    return { outcome: 'verified', message: `${SONAME} (build-id ${id}) is ${COMPATIBLE[id]}, verified compatible with ${BASELINE} this binding was built against` };
  if (id && Object.prototype.hasOwnProperty.call(INCOMPATIBLE, id)) {
    const [release, why] = INCOMPATIBLE[id];
    return refuse(pol, `${SONAME} (build-id ${id}) is ${release}, incompatible with ${BASELINE} this binding was built against: ${why}`);
  }
  const [problem, objects] = o.compare();
  if (problem)
    return refuse(pol, `${SONAME} (${o.path}, build-id ${id || 'none'}) is an unknown build that does not match ${BASELINE} this binding was built against: ${problem}`);
  const what = `${SONAME} (${o.path}, build-id ${id || 'none'}) is an unverified build: not a release of ${LIBRARY} known when this guard was generated, but its SONAME${objects ? ',' : ' and'} all ${SYMBOLS.length} required symbols and versions${objects ? ` and the sizes of its ${objects} data objects` : ''} match ${BASELINE}`;
  if (pol === 'strict')
    return refuse(pol, what, true);
  return { outcome: 'accepted-unverified', message: what + '; accepted unverified (ABIGUARD_POLICY=strict would refuse it)' };
}

// ---- the binding's own declarations --------------------------------------

function typeInfo(koffi, t) {
  return typeof koffi.type === 'function' ? koffi.type(t) : koffi.introspect(t);
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

// Compares the binding's koffi declarations with the baseline's layouts:
// declared maps a C type name ('struct geo_point', 'enum geo_kind', a
// typedef) to a koffi type (koffi.struct(...), koffi.union(...), a type
// name) or, for an enum, an object of its constants. Each mismatch names
// the member, both offsets and both sizes. Returns { outcome, message,
// checked }; throws AbiGuardError on a mismatch (unless ABIGUARD_POLICY is
// warn or off), and TypeError for a name not in LAYOUTS.
function verifyLayouts(declared, koffi) {
  koffi = koffi || require('koffi');
  const pol = policy();
  if (pol === 'off')
    return { outcome: 'off', message: 'layout check disabled (ABIGUARD_POLICY=off)', checked: 0 };
  const problems = [];
  const names = Object.keys(declared);
  for (const cname of names) {
    if (!Object.prototype.hasOwnProperty.call(LAYOUTS, cname))
      throw new TypeError(`${cname}: not one of the types the symbols this guard checks reach in ${BASELINE}: ${Object.keys(LAYOUTS).sort().join(', ')}`);
    const [kind, size, align, body] = LAYOUTS[cname];
    const decl = declared[cname];
    if (kind === 'enum' && decl && typeof decl === 'object' && !(decl.constructor && decl.constructor.name === 'TypeObject')) {
      for (const k of Object.keys(decl).sort()) {
        if (!Object.prototype.hasOwnProperty.call(body, k))
          problems.push(`${cname}: ${k} is not an enumerator of it in ${BASELINE}`);
        else if (Number(decl[k]) !== body[k])
          problems.push(`${cname}: ${k} is ${decl[k]} in the binding, ${body[k]} in ${BASELINE}`);
      }
      continue;
    }
    const gsize = koffi.sizeof(decl), galign = koffi.alignof(decl);
    if (gsize !== size)
      problems.push(`${cname} is ${gsize} bytes in the binding's declaration, ${size} in ${BASELINE}`);
    if ((kind === 'struct' || kind === 'union') && align && galign !== align)
      problems.push(`${cname} is aligned to ${galign} bytes in the binding's declaration, ${align} in ${BASELINE}`);
    if (kind === 'struct' || kind === 'union') {
      const info = typeInfo(koffi, decl);
      const got = Object.values(info.members || {}).map((mm) => [mm.name, mm.offset, koffi.sizeof(mm.type)]);
      compareFields(cname, got, body, problems);
    }
  }
  if (problems.length) {
    const r = refuse(pol, `the binding's declarations do not match ${BASELINE}: ${problems.join('; ')}`);
    return Object.assign(r, { checked: names.length });
  }
  return { outcome: 'verified', message: `${names.length} declarations match ${BASELINE}`, checked: names.length };
}

module.exports = { verify, verifyLayouts, AbiGuardError, LIBRARY, BASELINE, SONAME, LAYOUTS, FINGERPRINTS };
