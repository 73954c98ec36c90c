declare module 'fengari' {
  const fengari: {
    lua: { lua_tojsstring(L: unknown, idx: number): string };
    lauxlib: { luaL_newstate(): unknown; luaL_dostring(L: unknown, code: Uint8Array): number };
    lualib: { luaL_openlibs(L: unknown): void };
    to_luastring(s: string): Uint8Array;
  };
  export default fengari;
}
