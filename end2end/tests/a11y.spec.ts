// Everyone can use it: axe finds no serious or critical violation on the app's
// pages, signed in and out, in light and dark themes, on a desktop and a phone.
import AxeBuilder from "@axe-core/playwright";
import { devices, type Page } from "@playwright/test";
import { GalleryPage } from "./gallery-page";
import { dropFiles, expect, jpg, png, signIn, test as signedIn, text, uploadByApi, visitorTest } from "./fixtures";

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1, 2).join(" ")}`).join("\n    ")}`);
}

for (const scheme of ["light", "dark"] as const) {
  for (const [screen, viewport] of [["desktop", { width: 1366, height: 900 }], ["phone", devices["Pixel 7"].viewport]] as const) {
    visitorTest(`no serious violations for a visitor: gallery and sign-in, ${scheme}, ${screen}`, async ({ page, request }) => {
      await uploadByApi(request, png(`a11y-${scheme}-${screen}`));
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize(viewport);
      await page.goto("/");
      await expect(page.getByTestId("gallery")).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
      await page.goto("/signin?error=that%20is%20not%20the%20admin%20token");
      expect(await seriousViolations(page)).toEqual([]);
    });

    signedIn(`no serious violations signed in: upload rows done and failed, the delete page, ${scheme}, ${screen}`, async ({ page, request }) => {
      const name = await uploadByApi(request, png(`a11y-admin-${scheme}-${screen}`));
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize(viewport);
      await signIn(page);
      const uploadArea = page.getByTestId("upload-area");
      await expect(uploadArea).toBeVisible();
      await new GalleryPage(page).waitForHydration();
      await dropFiles(page, uploadArea, [png(`a11y-dropped-${scheme}-${screen}`), text("notes")]);
      await expect(page.locator('[data-testid="upload-item"][data-state="done"]')).toHaveCount(1);
      await expect(page.locator('[data-testid="upload-item"][data-state="failed"]')).toHaveCount(1);
      // Said once, politely, when the batch ends.
      const summary = page.getByTestId("upload-summary");
      await expect(summary).toHaveText("1 uploaded, 1 failed.");
      await expect(summary).toHaveAttribute("aria-live", "polite");
      expect(await seriousViolations(page)).toEqual([]);
      await page.goto(`/delete?name=${encodeURIComponent(name)}`);
      expect(await seriousViolations(page)).toEqual([]);
    });

    signedIn(`no serious violations in the viewer and on a photo's page, ${scheme}, ${screen}`, async ({ page, request }) => {
      const name = await uploadByApi(request, jpg(`a11y-viewer-${scheme}-${screen}`, 120, 90));
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize(viewport);
      const gallery = new GalleryPage(page);
      await gallery.open();
      await page.locator(`[data-testid="gallery-item"][data-name="${name}"]`).getByRole("link").click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await page.keyboard.press("i");
      await expect(page.getByTestId("viewer-info")).toHaveAttribute("open", "");
      expect(await seriousViolations(page)).toEqual([]);
      await page.goto(`/photo/${name}`);
      await expect(page.getByTestId("viewer")).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
  }
}
