// The WSDL (with embedded XSD) of the XML feedback service a customer implements; generated from the field lists.
import { INBOUND_FIELDS, NS, OUTBOUND_FIELDS, SOAP_ACTION, type FieldDef, type FieldKind } from './format.js';

const XS_TYPE: Record<Exclude<FieldKind, 'files'>, string> = {
  string: 'xs:string',
  int: 'xs:int',
  count: 'xs:nonNegativeInteger',
  dateTime: 'xs:dateTime',
  uri: 'xs:anyURI',
  direction: 'tns:Direction',
  status: 'tns:Status',
  source: 'tns:Source',
  resolution: 'tns:Resolution',
};

function enumType(name: string, values: string[]): string {
  return `      <xs:simpleType name="${name}">\n        <xs:restriction base="xs:string">\n${values
    .map((v) => `          <xs:enumeration value="${v}"/>\n`).join('')}        </xs:restriction>\n      </xs:simpleType>\n`;
}

function sequence(defs: readonly FieldDef[]): string {
  return defs
    .map((d) => (d.kind === 'files'
      ? '            <xs:element name="Files" type="tns:FileList"/>\n'
      : `            <xs:element name="${d.name}" type="${XS_TYPE[d.kind]}"${d.optional ? ' minOccurs="0"' : ''}/>\n`))
    .join('');
}

function request(name: string, defs: readonly FieldDef[]): string {
  return `      <xs:element name="${name}">\n        <xs:complexType>\n          <xs:sequence>\n${sequence(defs)}          </xs:sequence>\n        </xs:complexType>\n      </xs:element>\n`;
}

function response(name: string): string {
  return `      <xs:element name="${name}Response">\n        <xs:complexType>\n          <xs:sequence>\n            <xs:element name="Accepted" type="xs:boolean" minOccurs="0"/>\n          </xs:sequence>\n        </xs:complexType>\n      </xs:element>\n`;
}

const SCHEMA = `    <xs:schema targetNamespace="${NS}" xmlns:tns="${NS}" xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
${enumType('Direction', ['outbound', 'inbound'])}${enumType('Status', ['queued', 'sending', 'sent', 'failed', 'rejected', 'cancelled', 'received'])}${enumType('Source', ['email', 'api'])}${enumType('Resolution', ['standard', 'fine', 'superfine'])}      <xs:complexType name="File">
        <xs:sequence>
          <xs:element name="Name" type="xs:string"/>
          <xs:element name="DeclaredType" type="xs:string" minOccurs="0"/>
          <xs:element name="DetectedType" type="xs:string" minOccurs="0"/>
          <xs:element name="Verdict" type="xs:string"/>
          <xs:element name="Reason" type="xs:string" minOccurs="0"/>
          <xs:element name="Pages" type="xs:nonNegativeInteger" minOccurs="0"/>
        </xs:sequence>
      </xs:complexType>
      <xs:complexType name="FileList">
        <xs:sequence>
          <xs:element name="File" type="tns:File" minOccurs="0" maxOccurs="unbounded"/>
        </xs:sequence>
      </xs:complexType>
${request('FaxFeedback', OUTBOUND_FIELDS)}${response('FaxFeedback')}${request('InboundFax', INBOUND_FIELDS)}${response('InboundFax')}    </xs:schema>
`;

function operation(name: 'FaxFeedback' | 'InboundFax', direction: 'outbound' | 'inbound'): { messages: string; port: string; binding: string } {
  return {
    messages: `  <wsdl:message name="${name}Request">\n    <wsdl:part name="parameters" element="tns:${name}"/>\n  </wsdl:message>\n`
      + `  <wsdl:message name="${name}Response">\n    <wsdl:part name="parameters" element="tns:${name}Response"/>\n  </wsdl:message>\n`,
    port: `    <wsdl:operation name="${name}">\n      <wsdl:input message="tns:${name}Request"/>\n      <wsdl:output message="tns:${name}Response"/>\n    </wsdl:operation>\n`,
    binding: `    <wsdl:operation name="${name}">\n      <soap:operation soapAction="${SOAP_ACTION(direction)}" style="document"/>\n`
      + '      <wsdl:input>\n        <soap:body use="literal"/>\n      </wsdl:input>\n      <wsdl:output>\n        <soap:body use="literal"/>\n      </wsdl:output>\n    </wsdl:operation>\n',
  };
}

/** The WSDL document served at GET /v1/feedback.wsdl. The address is a placeholder: the customer's feedbackUrl. */
export function feedbackWsdl(): string {
  const ops = [operation('FaxFeedback', 'outbound'), operation('InboundFax', 'inbound')];
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- faxgate feedback service: implement this at your feedbackUrl. Every request also carries Standard Webhooks
     signature headers (webhook-id, webhook-timestamp, webhook-signature). A SOAP Fault counts as a failed delivery. -->
<wsdl:definitions name="FaxgateFeedback" targetNamespace="${NS}" xmlns:tns="${NS}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <wsdl:types>
${SCHEMA}  </wsdl:types>
${ops.map((o) => o.messages).join('')}  <wsdl:portType name="FaxFeedbackPortType">
${ops.map((o) => o.port).join('')}  </wsdl:portType>
  <wsdl:binding name="FaxFeedbackBinding" type="tns:FaxFeedbackPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
${ops.map((o) => o.binding).join('')}  </wsdl:binding>
  <wsdl:service name="FaxFeedbackService">
    <wsdl:port name="FaxFeedbackPort" binding="tns:FaxFeedbackBinding">
      <soap:address location="https://your-service.example/faxgate/feedback"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
