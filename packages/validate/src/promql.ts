import { parser } from '@prometheus-io/lezer-promql';

/**
 * Functions that take a range vector: `rate(x)` parses, but Prometheus refuses to evaluate
 * it, so the rule would fail on every evaluation and never fire.
 */
const rangeFunctions = new Set([
  'Rate',
  'Irate',
  'Increase',
  'Delta',
  'Idelta',
  'Deriv',
  'Changes',
  'Resets',
  'PredictLinear',
  'HoltWinters',
  'DoubleExponentialSmoothing',
  'AvgOverTime',
  'MinOverTime',
  'MaxOverTime',
  'SumOverTime',
  'CountOverTime',
  'QuantileOverTime',
  'StddevOverTime',
  'StdvarOverTime',
  'LastOverTime',
  'PresentOverTime',
  'AbsentOverTime',
  'MadOverTime',
]);

/** Where an expression goes wrong and how; empty when Prometheus would accept it. */
export interface PromqlError {
  /** Offset into the expression. */
  readonly at: number;
  readonly message: string;
}

/**
 * Parses PromQL with Prometheus's own grammar (@prometheus-io/lezer-promql, the one its UI
 * uses): syntax errors and unknown functions, plus range functions given an instant vector.
 */
export function promqlErrors(expr: string): readonly PromqlError[] {
  // Every cluster of a fleet carries the same rules: an expression is parsed once.
  let errors = parsed.get(expr);
  if (errors === undefined) {
    errors = parse(expr);
    parsed.set(expr, errors);
  }
  return errors;
}

const parsed = new Map<string, readonly PromqlError[]>();

function parse(expr: string): PromqlError[] {
  const errors: PromqlError[] = [];
  const tree = parser.parse(expr);
  let syntax = false;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) {
        // One syntax error is enough; the parser's recovery makes the rest noise.
        if (!syntax) errors.push({ at: n.from, message: `does not parse at offset ${n.from}: "${expr.slice(Math.max(0, n.from - 10), n.from + 10)}"` });
        syntax = true;
        return false;
      }
      if (n.name !== 'FunctionCall') return undefined;
      const fn = n.node.getChild('FunctionIdentifier')?.firstChild?.name;
      const body = n.node.getChild('FunctionCallBody');
      if (!fn || !body || !rangeFunctions.has(fn)) return undefined;
      // The range argument is the last one (quantile_over_time and predict_linear take a scalar too).
      const args = [];
      for (let c = body.firstChild; c; c = c.nextSibling) if (c.type.name !== '(' && c.type.name !== ')' && c.type.name !== ',') args.push(c);
      const range = fn === 'QuantileOverTime' ? args[1] : args[0];
      if (range && range.name !== 'MatrixSelector' && range.name !== 'SubqueryExpr') {
        errors.push({ at: range.from, message: `${expr.slice(n.from, body.from)}() needs a range vector such as x[5m], not "${expr.slice(range.from, range.to)}"` });
      }
      return undefined;
    },
  });
  return errors;
}
