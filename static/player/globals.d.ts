// For TypeScript's checker only (tsconfig.json); the build joins static/player/*.js alone, so this never ships.
// The globals the player's classic scripts share, typed by the JSDoc in 00-shared.js.
interface Window {
  choroplethPlayer: Player & TimeAxis; // TimeAxis: 25-time.js
  choroplethLoad: (key: string, payload: unknown) => void; // what each data file calls (10-data)
  choropleth: any; // the automation API (70-api)
}
