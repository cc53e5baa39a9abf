// Real image files made by the tests themselves, drag-and-drop as a browser does it,
// and the two people a test can be: the signed-in admin (`test`) or a visitor
// (`visitorTest`).
import { test as base, APIRequestContext, Locator, Page } from "@playwright/test";
import { PNG } from "pngjs";
import * as jpeg from "jpeg-js";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type TestFile = { name: string; mimeType: string; buffer: Buffer };

function pixels(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 5 + seed * 40) & 255;
      data[i + 1] = (y * 9 + seed * 7) & 255;
      data[i + 2] = (seed * 61) & 255;
      data[i + 3] = 255;
    }
  }
  return data;
}

/**
 * The pixels, with the first row (or row of blocks) stamped by this file's number
 * and the test worker's process id: the gallery stores the same bytes once, so
 * every file a test makes must be one of a kind.
 */
function stamped(width: number, height: number, seed: number, block = 2): Buffer {
  const data = pixels(width, height, seed);
  const stamp = [counter & 255, (counter >>> 8) & 255, process.pid & 255, (process.pid >>> 8) & 255, (process.pid >>> 16) & 255];
  for (let y = 0; y < Math.min(height, block === 2 ? 1 : block); y++) {
    for (let x = 0; x < Math.min(width, stamp.length * block); x++) {
      const i = (y * width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = stamp[Math.floor(x / block)];
    }
  }
  return data;
}

/** A real PNG; names carry a unique suffix, and bytes differ, so parallel tests never confuse files. */
export function png(stem: string, width = 40, height = 30, seed = 1): TestFile {
  const id = unique();
  const image = new PNG({ width, height });
  stamped(width, height, seed).copy(image.data);
  return { name: `${stem}-${id}.png`, mimeType: "image/png", buffer: PNG.sync.write(image) };
}

export function jpg(stem: string, width = 48, height = 32, seed = 2): TestFile {
  const id = unique();
  // JPEG keeps an 8×8 block's mean, not one pixel's: the stamp fills whole blocks.
  const encoded = jpeg.encode({ data: stamped(width, height, seed, 8), width, height }, 90);
  return { name: `${stem}-${id}.jpg`, mimeType: "image/jpeg", buffer: Buffer.from(encoded.data) };
}

/** An iPhone-style HEIC, made from a PNG by libheif's heif-enc (libheif-examples). */
export function heic(stem: string, width = 160, height = 120, seed = 3): TestFile {
  const id = unique();
  const image = new PNG({ width, height });
  stamped(width, height, seed, 16).copy(image.data);
  const folder = mkdtempSync(join(tmpdir(), "heic-"));
  try {
    writeFileSync(join(folder, "in.png"), PNG.sync.write(image));
    execFileSync("heif-enc", ["-q", "80", join(folder, "in.png"), "-o", join(folder, "out.heic")], { stdio: "ignore" });
    return { name: `${stem}-${id}.HEIC`, mimeType: "image/heic", buffer: readFileSync(join(folder, "out.heic")) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export function text(stem: string): TestFile {
  return { name: `${stem}-${unique()}.txt`, mimeType: "text/plain", buffer: Buffer.from("just some notes\n") };
}

let counter = 0;
function unique(): string {
  counter += 1;
  return `${process.pid}${Date.now().toString(36)}${counter}`;
}

/** A DataTransfer in the page holding real File objects, as the OS hands them over. */
function dataTransferOf(page: Page, files: TestFile[]) {
  return page.evaluateHandle((specs) => {
    const transfer = new DataTransfer();
    for (const spec of specs) {
      const bytes = Uint8Array.from(atob(spec.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], spec.name, { type: spec.mimeType }));
    }
    return transfer;
  }, files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: f.buffer.toString("base64") })));
}

/** Drops files on `target` with a real DataTransfer holding real File objects. */
export async function dropFiles(page: Page, target: Locator, files: TestFile[]): Promise<void> {
  const dataTransfer = await dataTransferOf(page, files);
  await target.dispatchEvent("dragenter", { dataTransfer });
  await target.dispatchEvent("dragover", { dataTransfer });
  await target.dispatchEvent("drop", { dataTransfer });
}

/** Pastes files into the page, as Ctrl+V does with images on the clipboard. */
export async function pasteFiles(page: Page, files: TestFile[]): Promise<void> {
  const clipboardData = await dataTransferOf(page, files);
  await page.evaluate((data) => {
    const paste = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
    document.body.dispatchEvent(paste);
  }, clipboardData);
}

/** The admin token of the server under test (scripts/test sets it). */
export const adminToken = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token";

/** Signs the page in with the link the server prints at start. */
export async function signIn(page: Page): Promise<void> {
  await page.goto(`/signin/link?token=${encodeURIComponent(adminToken)}`);
}

/** Tests whose page is signed in as the admin. */
export const test = base.extend({
  page: async ({ page }, use) => {
    await signIn(page);
    await use(page);
  },
});

/** Tests whose page is a visitor's: not signed in. */
export const visitorTest = base;

export { expect } from "@playwright/test";

/** Uploads a file through the API, as a script with the admin token would. */
export async function uploadByApi(request: APIRequestContext, file: TestFile): Promise<string> {
  const response = await request.post("/api/upload", {
    headers: { authorization: `Bearer ${adminToken}`, accept: "application/json" },
    multipart: { image: file },
  });
  if (!response.ok()) throw new Error(`upload failed: ${response.status()} ${await response.text()}`);
  const body = await response.json();
  return body.images[0].name as string;
}
