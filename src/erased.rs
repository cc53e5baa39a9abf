//! Type-erased views without a second, asynchronous copy of their hydration code.
//!
//! `into_any` compiles, for every view type it erases, both ways of hydrating that
//! view: at once, and asynchronously (for an app started with `hydrate_lazy`, whose
//! lazy parts may still be loading). This app hydrates at once (`hydrate_body`, after
//! fetching the chunks the page shows: see `parts`), so the asynchronous copy, a
//! future for every element of every erased view, is never run; it was about a fifth
//! of the WASM every page loads. [`Erase::erase`] erases a view the same way but
//! hydrates it at once even when asked asynchronously, so that copy is not built.

use leptos::prelude::*;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Position, PositionState, Render, RenderHtml};

/// Erases a view's type, as `into_any` does, for a view hydrated at once.
pub trait Erase {
    /// The view as an [`AnyView`].
    fn erase(self) -> AnyView;
}

impl<V: RenderHtml + Send> Erase for V {
    fn erase(self) -> AnyView {
        AtOnce(self).into_any()
    }
}

/// A view that hydrates at once when asked to hydrate asynchronously: everything
/// but `hydrate_async` (left to the trait's default, which calls `hydrate`) is the
/// inner view's.
struct AtOnce<V>(V);

impl<V: Render> Render for AtOnce<V> {
    type State = V::State;

    fn build(self) -> Self::State {
        self.0.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.0.rebuild(state)
    }
}

impl<V: RenderHtml> RenderHtml for AtOnce<V> {
    type AsyncOutput = AtOnce<V::AsyncOutput>;
    type Owned = AtOnce<V::Owned>;

    const MIN_LENGTH: usize = V::MIN_LENGTH;
    const EXISTS: bool = V::EXISTS;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve()
    }

    async fn resolve(self) -> Self::AsyncOutput {
        AtOnce(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0
            .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        self.0.to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        )
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        self.0.hydrate::<FROM_SERVER>(cursor, position)
    }

    fn into_owned(self) -> Self::Owned {
        AtOnce(self.0.into_owned())
    }
}

impl<V: AddAnyAttr> AddAnyAttr for AtOnce<V> {
    type Output<SomeNewAttr: Attribute> = AtOnce<V::Output<SomeNewAttr>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        AtOnce(self.0.add_any_attr(attr))
    }
}
