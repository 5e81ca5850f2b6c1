// Validates SARIF logs against the OASIS SARIF 2.1.0 (errata 01) schema
// beside this file, formats included (uri, uri-reference, date-time).
// Usage: NODE_PATH=DIR/node_modules node validate.cjs LOG.sarif...
// The schema is JSON Schema draft-04, which needs Ajv's draft-04 class.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv-draft-04');
const addFormats = require('ajv-formats');

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const file of process.argv.slice(2)) {
  let log;
  try {
    log = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`${file}: not JSON: ${e.message}`);
    bad++;
    continue;
  }
  if (validate(log)) {
    console.log(`${file}: valid SARIF 2.1.0`);
  } else {
    bad++;
    for (const e of validate.errors.slice(0, 20))
      console.log(`${file}: ${e.instancePath || '/'} ${e.message}`);
  }
}
process.exit(bad ? 1 : 0);
