import { jsonSchemaGrammar, UnsupportedSchemaError } from "../inference/grammar/jsonSchemaGrammar.js";
import type { CatalogTool, OfferedTool } from "./ToolCatalog.js";

/** The tools the selector may choose, and why the others are not offered. */
export interface OfferableTools {
  offered: OfferedTool[];
  /** "name (why)" per tool left out. */
  notOffered: string[];
}

/**
 * A tool is offered only when its params can be held to its schema by the grammar: one whose description failed has
 * no schema, and one whose schema the grammar cannot enforce (a `pattern`, say) would let the model write params the
 * tool rejects. Leaving such a tool out keeps the others choosable.
 */
export function offerableTools(tools: readonly CatalogTool[]): OfferableTools {
  const offered: OfferedTool[] = [];
  const notOffered: string[] = [];
  for (const tool of tools) {
    if (tool.params === null) {
      notOffered.push(`${tool.name} (describe_tool failed)`);
      continue;
    }
    try {
      jsonSchemaGrammar(tool.params);
      offered.push({ ...tool, params: tool.params });
    } catch (error) {
      if (!(error instanceof UnsupportedSchemaError)) throw error;
      notOffered.push(`${tool.name} (params ${error.message})`);
    }
  }
  return { offered, notOffered };
}
