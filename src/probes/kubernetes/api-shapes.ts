/**
 * The core/v1 shapes the Kubernetes probe reads, from the API reference (kubernetes.io/docs/reference/kubernetes-api/:
 * "Pod v1 core", "Service v1 core", "Status"). Only the stable fields we use are typed; everything else passes through,
 * and a field of an unexpected type reads as absent instead of failing the whole object (clusters differ by version
 * and add-ons).
 */
import { z } from 'zod';

const str = z.string().optional().catch(undefined);
const num = z.number().int().optional().catch(undefined);
const bool = z.boolean().optional().catch(undefined);
const stringMap = z.record(z.string(), z.string()).optional().catch(undefined);
/** A list whose malformed items are dropped, not fatal. */
function list<T extends z.ZodType>(item: T) {
  return z
    .array(z.unknown())
    .optional()
    .catch(undefined)
    .transform((items) =>
      (items ?? []).flatMap((value) => {
        const parsed = item.safeParse(value);
        return parsed.success ? [parsed.data] : [];
      }),
    );
}

const Metadata = z.looseObject({ name: str, namespace: str, labels: stringMap });

export const ContainerPort = z.looseObject({
  name: str,
  containerPort: z.number().int(),
  protocol: str,
});

export const Pod = z.looseObject({
  kind: z.literal('Pod').optional(),
  metadata: Metadata.optional().catch(undefined),
  spec: z
    .looseObject({
      hostNetwork: bool,
      containers: list(z.looseObject({ name: str, ports: list(ContainerPort) })),
    })
    .optional()
    .catch(undefined),
  status: z
    .looseObject({ podIP: str, podIPs: list(z.looseObject({ ip: z.string() })), hostIP: str })
    .optional()
    .catch(undefined),
});
export type Pod = z.infer<typeof Pod>;

/** `targetPort` is an IntOrString: a number, or the name of a container port. */
const IntOrString = z.union([z.number().int(), z.string()]).optional().catch(undefined);

export const ServicePort = z.looseObject({
  name: str,
  protocol: str,
  port: z.number().int(),
  targetPort: IntOrString,
  nodePort: num,
});

export const Service = z.looseObject({
  metadata: Metadata.optional().catch(undefined),
  spec: z
    .looseObject({
      type: str,
      selector: stringMap,
      clusterIP: str,
      clusterIPs: list(z.string()),
      ports: list(ServicePort),
      externalTrafficPolicy: str,
      externalIPs: list(z.string()),
    })
    .optional()
    .catch(undefined),
  status: z
    .looseObject({
      loadBalancer: z
        .looseObject({ ingress: list(z.looseObject({ ip: str, hostname: str })) })
        .optional()
        .catch(undefined),
    })
    .optional()
    .catch(undefined),
});
export type Service = z.infer<typeof Service>;

/** `items` must be there (an empty list is `[]`): a body without it is not a ServiceList. */
export const ServiceList = z.looseObject({
  kind: z.literal('ServiceList').optional(),
  items: z.array(z.unknown()).transform((items) =>
    items.flatMap((value) => {
      const parsed = Service.safeParse(value);
      return parsed.success ? [parsed.data] : [];
    }),
  ),
});
export type ServiceList = z.infer<typeof ServiceList>;

/** The API's error body: `{ kind: "Status", status: "Failure", code: 403, reason: "Forbidden", message }`. */
export const Status = z.looseObject({ kind: z.literal('Status'), code: num, reason: str, message: str });
export type Status = z.infer<typeof Status>;
