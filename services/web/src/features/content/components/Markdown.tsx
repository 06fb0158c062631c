import type { ComponentProps } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

import { cn } from "@/lib/utils";

// The page's title is the <h1>: headings inside a lesson start one level lower. Raw HTML in the
// markdown is not rendered (react-markdown's default), so model output cannot inject markup.
const components: Components = {
  h1: ({ children }) => <h2>{children}</h2>,
  h2: ({ children }) => <h3>{children}</h3>,
  h3: ({ children }) => <h4>{children}</h4>,
  h4: ({ children }) => <h5>{children}</h5>,
  a: ({ href, title, children }) => {
    const external = typeof href === "string" && /^https?:/i.test(href);
    return (
      <a href={href} title={title} {...(external ? { target: "_blank", rel: "noopener noreferrer" } : {})}>
        {children}
      </a>
    );
  },
};

export function Markdown({ children, className }: { children: string; className?: string } & Pick<ComponentProps<"div">, "className">) {
  return (
    <div className={cn("prose-lesson", className)}>
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
        {children}
      </ReactMarkdown>
    </div>
  );
}
