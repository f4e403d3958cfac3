// ESLint for the page's JavaScript (static/): scripts/test installs eslint@9, @eslint/js@9 and globals@16
// into ./node_modules (git-ignored, no lockfile) and runs it before pytest.
// The recommended rules (no-undef and no-unused-vars among them) with browser globals; the parts of
// the player are classic scripts (not modules: module scripts are refused on file://), so nothing may
// leak into the page's global scope except through window.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["static/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: globals.browser },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-implicit-globals": ["error", { lexicalBindings: true }], // a classic script's top-level names are globals
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      "no-shadow": "error", // one name, one meaning: P is the shared object in every part
      "prefer-const": "error",
      "no-var": "error",
      eqeqeq: "error",
      strict: ["error", "function"], // each part's function says "use strict"
    },
  },
];
