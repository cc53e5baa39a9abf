// The page object of the gallery page.
import { expect, Locator, Page } from "@playwright/test";
import { TestFile } from "./fixtures";

export class GalleryPage {
  readonly uploadArea: Locator;
  readonly fileInput: Locator;
  readonly grid: Locator;

  constructor(readonly page: Page) {
    this.uploadArea = page.getByTestId("upload-area");
    this.fileInput = page.getByTestId("file-input");
    this.grid = page.getByTestId("gallery");
  }

  async goto(path = "/"): Promise<void> {
    await this.page.goto(path);
  }

  /** Waits until the WASM app runs: the page marks itself once hydrated. */
  async waitForHydration(): Promise<void> {
    await expect(this.page.locator('main[data-hydrated="true"]')).toBeAttached();
  }

  async open(): Promise<void> {
    await this.goto();
    await this.waitForHydration();
  }

  /** The row of one file in the upload list. */
  upload(file: TestFile): Locator {
    return this.page.locator(`[data-testid="upload-item"][data-file="${file.name}"]`);
  }

  /** The grid tile of the image stored from `file` (stored names keep the stem). */
  tileOf(file: TestFile): Locator {
    const stem = file.name.replace(/\.[^.]+$/, "");
    return this.page.locator(`[data-testid="gallery-item"][data-name^="${stem}-"]`);
  }

  async expectUploaded(file: TestFile): Promise<void> {
    const row = this.upload(file);
    await expect(row).toHaveAttribute("data-state", "done");
    await expect(row.getByTestId("upload-progress")).toHaveJSProperty("value", 1);
    await this.expectDecodedInGrid(file);
  }

  /** The image is in the grid and the browser decoded it. */
  async expectDecodedInGrid(file: TestFile): Promise<void> {
    const image = this.tileOf(file).locator("img");
    await expect(image).toBeVisible();
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
  }
}
