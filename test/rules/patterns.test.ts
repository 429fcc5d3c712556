import { activeTypeFromExtension, CONTENT_TYPE_PATTERN, contentTypeAllowed, essenceOf, isActiveContentType } from '../../shared/rules/content-types';
import { PLATFORM } from '../../shared/identity/caller';
import { compileKeyPattern, startFor, type KeyPattern } from '../../shared/rules/key-pattern';
import { compileProcessPattern, processRefusal, type ProcessPattern } from '../../shared/rules/process';

/**
 * The patterns a rule is made of, each decision pinned from both sides: what a pattern admits and the nearest thing
 * it must not (a key that contains an allowed prefix without starting with it, `imagex/png` beside `image/*`, an
 * operation that only starts like an allowed one). Written against the mutation report (docs/mutation.md).
 */

/** Whether the pattern covers the key (or every key under a form's prefix): the key starts with the pattern's start. */
const keyMatches = (pattern: KeyPattern, key: string): boolean => key.startsWith(startFor(pattern, PLATFORM) ?? '\u0000');
const prefixCovered = keyMatches;

function keyPattern(source: string): KeyPattern {
  const compiled = compileKeyPattern(source);
  if (typeof compiled === 'string') throw new Error(`expected ${source} to compile: ${compiled}`);
  return compiled;
}

function processPattern(source: string): ProcessPattern {
  const compiled = compileProcessPattern(source);
  if (typeof compiled === 'string') throw new Error(`expected ${source} to compile: ${compiled}`);
  return compiled;
}

describe('key patterns', () => {
  it.each([
    ['uploads/', 'uploads/', true],
    ['媒体/', '媒体/', true],
    ['a/b/', 'a/b/', true],
    ['img*', 'img', false],
    ['uploads/*', 'uploads/', true],
    ['*', '', true],
    ['a..b/', 'a..b/', true],
    ['.well/', '.well/', true],
    ['a b/', 'a b/', true],
  ])('%s compiles to prefix %j (folder: %s)', (source, prefix, folder) => {
    expect(compileKeyPattern(source)).toEqual({ source, prefix, folder });
  });

  it.each([
    ['uploads', /^"uploads" would also admit "uploadsX\/\.\.\.": write "uploads\/" for a folder or "uploads\*" for any key starting with it$/],
    ['a*b*', /^"a\*b\*": "\*" may only end a pattern$/],
    ['*a', /^"\*a": "\*" may only end a pattern$/],
    ['a*/', /^"a\*\/": "\*" may only end a pattern$/],
    ['/uploads/', /^"\/uploads\/" must not start with "\/" or "\\"$/],
    ['\\uploads/', /^"\\uploads\/" must not start with "\/" or "\\"$/],
    ['/*', /must not start with/],
    ['a/../', /^"a\/\.\.\/" must not contain "\." or "\.\." segments$/],
    ['a/./', /must not contain "\." or "\.\." segments/],
    ['../', /must not contain "\." or "\.\." segments/],
    ['./', /must not contain "\." or "\.\." segments/],
    ['a/..*', /must not contain "\." or "\.\." segments/],
    ['a\u0000/', '"a\u0000/" must not contain control characters'],
    ['a\u001f/', /must not contain control characters/],
    ['a\u007f/', /must not contain control characters/],
    ['\u0009x*', /must not contain control characters/],
  ] as [string, RegExp | string][])('%j is refused: %s', (source, message) => {
    expect(compileKeyPattern(source)).toMatch(message);
  });

  it('a folder admits the keys that start with it, never one that merely contains it', () => {
    const uploads = keyPattern('uploads/');
    expect(keyMatches(uploads, 'uploads/a.txt')).toBe(true);
    expect(keyMatches(uploads, 'uploads/')).toBe(true);
    expect(keyMatches(uploads, 'x/uploads/a.txt')).toBe(false);
    expect(keyMatches(uploads, 'a.txt/uploads/')).toBe(false);
    expect(keyMatches(uploads, 'uploadsX/a.txt')).toBe(false);
    expect(keyMatches(uploads, 'uploads')).toBe(false);
    expect(prefixCovered(uploads, 'uploads/sub/')).toBe(true);
    expect(prefixCovered(uploads, 'x/uploads/')).toBe(false);
    expect(prefixCovered(uploads, 'sub/uploads/')).toBe(false);
    expect(prefixCovered(uploads, 'upl')).toBe(false);
  });

  it('an explicit prefix admits what starts with it; `*` admits every key', () => {
    const img = keyPattern('img*');
    expect(keyMatches(img, 'img2/a')).toBe(true);
    expect(keyMatches(img, 'imgX')).toBe(true);
    expect(keyMatches(img, 'a/img')).toBe(false);
    const any = keyPattern('*');
    expect(keyMatches(any, 'anything/at/all')).toBe(true);
    expect(prefixCovered(any, '')).toBe(true);
  });
});

describe('content types', () => {
  const rule = (...patterns: string[]) => ({ patterns, required: patterns.length > 0 });

  it.each([
    'text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml', 'text/xsl', 'application/xslt+xml',
    'text/javascript', 'application/javascript', 'application/x-javascript', 'application/ecmascript', 'application/x-ecmascript',
    'text/ecmascript', 'text/jscript', 'text/livescript', 'message/rfc822', 'multipart/related', 'application/x-mimearchive',
    'application/x-shockwave-flash', 'application/rss+xml', 'TEXT/HTML; charset=utf-8', ' text/html ',
  ])('%j is active content: no wildcard and no empty list admits it, only its exact name', (type) => {
    expect(isActiveContentType(type)).toBe(true);
    expect(contentTypeAllowed(rule(), type)).toBe(false);
    expect(contentTypeAllowed(rule('*/*'), type)).toBe(false);
    expect(contentTypeAllowed(rule(`${essenceOf(type).split('/')[0]}/*`), type)).toBe(false);
    expect(contentTypeAllowed(rule(essenceOf(type)), type)).toBe(true);
  });

  // Chromium sniffs these as if no type were given, and renders what looks like HTML (net/base/mime_sniffer.cc,
  // IsUnknownMimeType): they are active content like the rest. Only a download's response.contentType can be malformed.
  it.each(['unknown/unknown', 'application/unknown', 'Application/Unknown; x=y', '*/*', '', ';', ' ; charset=utf-8', 'texthtml', 'text/', '/html', 'text/html x', 'a b/c', 'text/ht@ml'])(
    '%j makes a browser sniff: active content, admitted by no wildcard and no empty list',
    (type) => {
      expect(isActiveContentType(type)).toBe(true);
      expect(contentTypeAllowed(rule(), type)).toBe(false);
      expect(contentTypeAllowed(rule('*/*'), type)).toBe(false);
      expect(contentTypeAllowed(rule('application/*', 'unknown/*', 'text/*'), type)).toBe(false);
    },
  );

  it('a sniffed type passes only where named exactly, and */* can never be named: as a pattern it is the wildcard', () => {
    expect(contentTypeAllowed(rule('application/unknown'), 'application/unknown')).toBe(true);
    expect(contentTypeAllowed(rule('unknown/unknown'), 'Unknown/Unknown')).toBe(true);
    expect(contentTypeAllowed(rule('*/*'), '*/*')).toBe(false);
    expect(contentTypeAllowed(rule('image/*'), 'image/*')).toBe(true);
    expect(isActiveContentType('image/*')).toBe(false);
  });

  it.each(['text/plain', 'image/png', 'application/xmlx', 'application/json', 'text/htm', 'xml/plain', 'application/x-xml-ish', 'application/octet-stream', "a!#$%&'*+.^_`|~-z/x"])('%j is not active content', (type) => {
    expect(isActiveContentType(type)).toBe(false);
    expect(contentTypeAllowed(rule(), type)).toBe(true);
  });

  it('essence: the type before any parameter, trimmed and lowercased', () => {
    expect(essenceOf('Image/PNG; charset=x')).toBe('image/png');
    expect(essenceOf('  text/plain  ;a=b')).toBe('text/plain');
    expect(essenceOf('text/plain')).toBe('text/plain');
  });

  it('image/* admits image types and nothing that only starts like one', () => {
    const images = rule('image/*');
    expect(contentTypeAllowed(images, 'image/png')).toBe(true);
    expect(contentTypeAllowed(images, 'IMAGE/JPEG; q=1')).toBe(true);
    expect(contentTypeAllowed(images, 'imagex/png')).toBe(false);
    expect(contentTypeAllowed(images, 'ima/png')).toBe(false);
    expect(contentTypeAllowed(images, 'text/image')).toBe(false);
    expect(contentTypeAllowed(images, 'image/svg+xml')).toBe(false);
  });

  it('an exact pattern admits that type only; */* admits every passive type', () => {
    const plain = rule('text/plain');
    expect(contentTypeAllowed(plain, 'text/plain; charset=utf-8')).toBe(true);
    expect(contentTypeAllowed(plain, 'text/plainx')).toBe(false);
    expect(contentTypeAllowed(plain, 'text/csv')).toBe(false);
    // A one-letter subtype is a name, not a wildcard over its type.
    expect(contentTypeAllowed(rule('x/y'), 'x/y')).toBe(true);
    expect(contentTypeAllowed(rule('x/y'), 'x/z')).toBe(false);
    expect(contentTypeAllowed(rule('*/*'), 'video/mp4')).toBe(true);
    expect(contentTypeAllowed(rule('text/*/'), 'text/plain')).toBe(false);
    expect(contentTypeAllowed(rule('text*'), 'text/plain')).toBe(false);
    // A list admits only what it names; an empty list (none set) any passive type.
    expect(contentTypeAllowed(rule('image/png'), 'video/mp4')).toBe(false);
    expect(contentTypeAllowed(rule(), 'video/mp4')).toBe(true);
  });

  it.each([
    ['a.html', 'text/html'], ['a.htm', 'text/html'], ['a.shtml', 'text/html'], ['a.stm', 'text/html'], ['a.jsp', 'text/html'], ['a.plg', 'text/html'],
    ['a.htx', 'text/html'], ['a.xhtml', 'application/xhtml+xml'], ['a.xht', 'application/xhtml+xml'], ['a.svg', 'image/svg+xml'], ['a.svgz', 'image/svg+xml'],
    ['a.xml', 'text/xml'], ['a.xsl', 'text/xml'], ['a.xslt', 'text/xml'], ['a.xq', 'text/xml'], ['a.rdf', 'text/xml'], ['a.vml', 'text/xml'],
    ['a.js', 'application/x-javascript'], ['a.mjs', 'application/x-javascript'], ['a.mht', 'message/rfc822'], ['a.mhtml', 'message/rfc822'],
    ['a.swf', 'application/x-shockwave-flash'], ['uploads/x.y/IMAGE.SVG', 'image/svg+xml'], ['uploads/.html', 'text/html'],
  ])('a key %j is stored by OSS as %s', (key, type) => {
    expect(activeTypeFromExtension(key)).toBe(type);
  });

  it.each(['a.png', 'a', 'uploads/a.html/b', 'a.html.txt', 'uploads.svg/readme', 'a.', 'ahtml', 'html', 'uploads/svg', 'a.toString', 'a.constructor'])('a key %j has no active type by its extension', (key) => {
    expect(activeTypeFromExtension(key)).toBeUndefined();
  });

  it('a content type pattern is type/subtype, type/* or */*, lowercase', () => {
    for (const good of ['image/*', '*/*', 'application/vnd.ms-excel', 'text/plain', 'a+b/c.d']) expect(CONTENT_TYPE_PATTERN.test(good)).toBe(true);
    for (const bad of ['image', '*', '*/png', 'image/*x', 'Image/png', 'image/png; q=1', ' image/png', 'image/png ', 'a/b/c', '/png', 'image/']) expect(CONTENT_TYPE_PATTERN.test(bad)).toBe(false);
  });
});

describe('processing patterns', () => {
  const refusal = (patterns: string[], value: string) => processRefusal(patterns.map(processPattern), value);

  it.each(['image', 'image/', '/resize', 'Image/resize', 'image/resize/crop', 'image/re.size', '*/resize', 'image/*,w_1', 'image/resize|x', 'image/resize,a/b', ''])('%j is not a pattern', (source) => {
    expect(compileProcessPattern(source)).toBe(`"${source}" is not a processing pattern such as image/resize, image/resize,w_* or style/*`);
  });

  it('an operation pattern admits that operation with any parameters, and no other operation', () => {
    expect(processPattern('image/resize')).toMatchObject({ source: 'image/resize', kind: 'image' });
    expect(refusal(['image/resize'], 'image/resize')).toBe('');
    expect(refusal(['image/resize'], 'image/resize,w_200,h_100')).toBe('');
    expect(refusal(['image/resize'], 'image/resizex')).toBe('image/resizex');
    expect(refusal(['image/resize'], 'image/resiz')).toBe('image/resiz');
    expect(refusal(['image/resize'], 'image/crop,w_1')).toBe('image/crop,w_1');
    expect(refusal(['image/resize'], 'video/resize')).toBe('video/resize');
    expect(refusal(['image/resize'], 'image/resize,w_1/crop,x_1')).toBe('image/crop,x_1');
    expect(refusal(['image/resize', 'image/crop'], 'image/resize,w_1/crop,x_1')).toBe('');
  });

  it('a parameter glob admits only parameters it matches; `*` never crosses a stage or operation', () => {
    expect(refusal(['image/resize,w_*'], 'image/resize,w_200')).toBe('');
    expect(refusal(['image/resize,w_*'], 'image/resize,h_200')).toBe('image/resize,h_200');
    expect(refusal(['image/resize,w_*'], 'image/resize')).toBe('image/resize');
    expect(refusal(['image/resize,w_1.5'], 'image/resize,w_1.5')).toBe('');
    expect(refusal(['image/resize,w_1.5'], 'image/resize,w_1x5')).toBe('image/resize,w_1x5');
    expect(refusal(['image/resize,w_1.5'], 'image/resize,w_1.5,h_2')).toBe('image/resize,w_1.5,h_2');
    expect(refusal(['image/resize,w_*'], 'image/resize,w_1|sys/saveas,o_x')).toBe('sys/saveas,o_x');
  });

  it('kind/* admits every operation of that kind, and only of that kind', () => {
    expect(refusal(['style/*'], 'style/thumb')).toBe('');
    expect(refusal(['style/*'], 'image/thumb')).toBe('image/thumb');
    expect(refusal(['image/*'], 'image/resize,w_1/watermark,text_x')).toBe('');
    expect(refusal(['image/*'], 'image/resize|video/snapshot,t_0')).toBe('video/snapshot,t_0');
    expect(refusal(['image/*', 'video/snapshot'], 'image/resize|video/snapshot,t_0')).toBe('');
  });

  it('values that are not kind/operation are refused, naming what was refused', () => {
    expect(refusal(['image/*'], '')).toBe('(empty)');
    expect(refusal(['image/*'], 'image')).toBe('image');
    expect(refusal(['image/*'], '/resize')).toBe('/resize');
    expect(refusal(['image/*'], 'IMAGE/resize')).toBe('IMAGE/resize');
    expect(refusal(['image/*'], 'image/')).toBe('image/');
    expect(refusal(['image/*'], 'image/resize|')).toBe('(empty)');
    expect(refusal(['image/*'], 'image/a b')).toBe('image/a b');
    expect(refusal(['image/*'], 'image/resize//crop')).toBe('image/');
    expect(refusal(['image/*'], 'image1/resize')).toBe('image1/resize');
    // A stage whose kind is no kind is refused whole, not at its first operation.
    expect(refusal(['image/*'], 'image1/resize/crop')).toBe('image1/resize/crop');
    expect(refusal(['image/*'], '1image/resize/crop')).toBe('1image/resize/crop');
    expect(refusal(['image/*'], 'Image/resize/crop')).toBe('Image/resize/crop');
  });
});
