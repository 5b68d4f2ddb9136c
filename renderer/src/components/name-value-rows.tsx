// Table rows of a name and its value (headers, form fields): the name is the row's header
// cell, so a screen reader reads each value with its name.
import type { ReactNode } from 'react';

export function NameValueRows({ rows }: { rows: ReadonlyArray<readonly [string, ReactNode]> }) {
  return (
    <>
      {rows.map(([name, value], i) => (
        <tr key={`${name}-${i}`}>
          <th scope="row">{name}</th>
          <td>{value}</td>
        </tr>
      ))}
    </>
  );
}
