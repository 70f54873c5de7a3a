// Builds DOM from text only. Nothing here parses HTML: every value from a token or the server becomes a text node,
// and the page's Trusted Types policy turns any HTML sink into an error.

export const $ = (id) => document.getElementById(id);

/** An element with the given properties and children; strings become text nodes, never markup. */
export function el(tag, properties = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (name === 'dataset') Object.assign(element.dataset, value);
    else element[name] = value;
  }
  element.append(...children.filter((child) => child !== null && child !== undefined).map((child) =>
    child instanceof Node ? child : document.createTextNode(String(child))));
  return element;
}

/** Replaces the children of an element. */
export function fill(element, ...children) {
  element.replaceChildren();
  element.append(...children.map((child) => child instanceof Node ? child : document.createTextNode(String(child))));
}

export function show(element, visible) {
  element.hidden = !visible;
}
