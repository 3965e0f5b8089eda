/** The part of madge's API the import-boundary test uses (madge ships no types). */
declare module 'madge' {
  interface MadgeResult {
    obj(): Record<string, string[]>;
  }
  function madge(path: string, config?: { fileExtensions?: string[]; baseDir?: string }): Promise<MadgeResult>;
  export default madge;
}
