// Builds the front-end assets into static/build/ (git-ignored):
//   app.css                 static/src/app.scss compiled with GOV.UK Frontend
//   govuk-frontend.min.js   GOV.UK Frontend's ES module bundle
//   init.js                 our entry point, which imports the bundle above
//   images/                 GOV.UK Frontend images minus GOV.UK branding, plus our favicon
//   axe.min.js              axe-core, for the browser accessibility tests only
//
// Usage: npm ci && npm run build   (run from anywhere; paths are repo-relative)

import { copyFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "static", "src");
const out = join(root, "static", "build");
const modules = join(root, "node_modules");
const govuk = join(modules, "govuk-frontend", "dist", "govuk");

// GOV.UK Frontend's images are all the crown or crest (favicons, app icons,
// open graph image). This is not a GOV.UK service, so they are left out.
const BRANDED_IMAGE = /^(govuk-|favicon\.)/;

// A plain favicon with no crown: a white tick on the header's dark blue.
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="4" fill="#003078"/>
<path d="M8 16.5l5.5 5.5L24.5 10" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
`;

async function buildCss() {
  const result = sass.compile(join(src, "app.scss"), {
    style: "compressed",
    sourceMap: false,
    loadPaths: [modules],
    // GOV.UK Frontend 5 is written for @import; keep its deprecation noise out
    // of the build log (it is not ours to fix) but still show our own warnings.
    quietDeps: true,
    silenceDeprecations: ["import", "global-builtin"],
  });
  // Not a GOV.UK service: refuse output that names GOV.UK's typeface or its crest.
  if (/GDS\s+Transport/i.test(result.css)) {
    throw new Error("app.css names GOV.UK's typeface: check the font settings in app.scss");
  }
  if (/crest/i.test(result.css)) {
    throw new Error("app.css refers to the GOV.UK crest: check app-image-url in app.scss");
  }
  await writeFile(join(out, "app.css"), result.css + "\n");
  return result.css.length;
}

async function copyImages() {
  const from = join(govuk, "assets", "images");
  const to = join(out, "images");
  await mkdir(to, { recursive: true });
  const copied = [];
  for (const name of await readdir(from)) {
    if (BRANDED_IMAGE.test(name)) continue;
    await copyFile(join(from, name), join(to, name));
    copied.push(name);
  }
  await writeFile(join(to, "favicon.svg"), FAVICON_SVG);
  copied.push("favicon.svg (ours)");
  return copied;
}

async function main() {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  const cssBytes = await buildCss();
  await copyFile(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
  await copyFile(join(src, "init.js"), join(out, "init.js"));
  await copyFile(join(modules, "axe-core", "axe.min.js"), join(out, "axe.min.js"));
  const images = await copyImages();

  console.log(`static/build/app.css (${cssBytes} bytes)`);
  console.log("static/build/govuk-frontend.min.js, init.js, axe.min.js");
  console.log(`static/build/images/: ${images.join(", ")}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
