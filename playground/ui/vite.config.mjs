// Fixed file names (no content hashes): the server embeds dist/ with a fixed
// table of files, and a test fails when the table and dist/ disagree.
export default {
  base: '/playground/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: '.',
    chunkSizeWarningLimit: 8000,
    rollupOptions: {
      input: 'src/main.js',
      output: {
        entryFileNames: 'playground.js',
        chunkFileNames: '[name].js',
        assetFileNames: '[name][extname]',
      },
    },
  },
  worker: {
    format: 'es',
    // Worker chunks get a prefix: a worker's `graphql` chunk must not
    // overwrite the page's `graphql` chunk (Monaco's language settings).
    rollupOptions: { output: { entryFileNames: '[name].js', chunkFileNames: 'worker-[name].js' } },
  },
};
