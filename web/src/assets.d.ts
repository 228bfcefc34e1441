/** esbuild's `file` loader: importing an SVG gives its hashed URL under /assets. */
declare module '*.svg' {
  const url: string;
  export default url;
}
/** CSS is bundled into assets/main-<hash>.css by esbuild; the import has no value. */
declare module '*.css';
